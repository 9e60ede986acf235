import type { KubeObject } from "./client";

/** Rollout rules, as kubectl's `rollout status` applies them, plus the readiness counts for progress lines. */

export type WorkloadKind = "deployment" | "statefulset" | "daemonset";

export interface Progress {
  desired: number;
  updated: number;
  ready: number;
  available: number;
}

export type RolloutState =
  | { state: "waiting"; message: string; progress: Progress }
  | { state: "done"; message: string; progress: Progress }
  | { state: "failed"; message: string; progress: Progress };

/** Why this workload cannot be waited for at all (paused, OnDelete), or undefined. */
export function unwatchableReason(kind: WorkloadKind, obj: KubeObject): string | undefined {
  if (kind === "deployment" && obj.spec?.paused) {
    return `deployment/${obj.metadata.name} is paused: a paused Deployment never rolls out. Resume it (kubectl rollout resume deployment/${obj.metadata.name}) or deploy after it is resumed.`;
  }
  if (kind === "statefulset" && obj.spec?.updateStrategy?.type === "OnDelete") {
    return `statefulset/${obj.metadata.name} uses the OnDelete update strategy: its pods change only when deleted, so there is no rollout to wait for.`;
  }
  if (kind === "daemonset" && obj.spec?.updateStrategy?.type === "OnDelete") {
    return `daemonset/${obj.metadata.name} uses the OnDelete update strategy: its pods change only when deleted, so there is no rollout to wait for.`;
  }
  return undefined;
}

export function progressOf(kind: WorkloadKind, obj: KubeObject): Progress {
  const s = obj.status ?? {};
  if (kind === "daemonset") {
    return {
      desired: s.desiredNumberScheduled ?? 0,
      updated: s.updatedNumberScheduled ?? 0,
      ready: s.numberReady ?? 0,
      available: s.numberAvailable ?? 0,
    };
  }
  return {
    desired: obj.spec?.replicas ?? 1,
    updated: s.updatedReplicas ?? 0,
    ready: s.readyReplicas ?? 0,
    available: s.availableReplicas ?? (kind === "statefulset" ? (s.readyReplicas ?? 0) : 0),
  };
}

/**
 * kubectl's verdict, read only once the controller has observed `generation` (the one the change
 * produced): until then the status describes the previous template.
 */
export function rolloutState(kind: WorkloadKind, obj: KubeObject, generation: number): RolloutState {
  const progress = progressOf(kind, obj);
  const s = obj.status ?? {};
  const name = `${kind}/${obj.metadata.name}`;
  const waiting = (message: string): RolloutState => ({ state: "waiting", message, progress });
  if ((s.observedGeneration ?? 0) < generation)
    return waiting(`waiting for the ${kind} controller to observe generation ${generation}`);

  if (kind === "deployment") {
    const progressing = (s.conditions ?? []).find((c: { type: string }) => c.type === "Progressing");
    if (progressing?.reason === "ProgressDeadlineExceeded") {
      return { state: "failed", message: `${name} exceeded its progress deadline`, progress };
    }
    const replicas = obj.spec?.replicas ?? 1;
    const updated = s.updatedReplicas ?? 0;
    if (updated < replicas) return waiting(`${updated} of ${replicas} updated replicas`);
    if ((s.replicas ?? 0) > updated)
      return waiting(`${(s.replicas ?? 0) - updated} old replicas pending termination`);
    if ((s.availableReplicas ?? 0) < updated)
      return waiting(`${s.availableReplicas ?? 0} of ${updated} updated replicas available`);
    return { state: "done", message: `${name} rolled out`, progress };
  }

  if (kind === "statefulset") {
    const replicas = obj.spec?.replicas ?? 1;
    if ((s.readyReplicas ?? 0) < replicas)
      return waiting(`${s.readyReplicas ?? 0} of ${replicas} pods ready`);
    const partition = obj.spec?.updateStrategy?.rollingUpdate?.partition;
    if (
      obj.spec?.updateStrategy?.type === "RollingUpdate" &&
      typeof partition === "number" &&
      partition > 0
    ) {
      if ((s.updatedReplicas ?? 0) < replicas - partition)
        return waiting(`${s.updatedReplicas ?? 0} of ${replicas - partition} partitioned pods updated`);
      return { state: "done", message: `${name}: partitioned roll out complete`, progress };
    }
    if (s.updateRevision !== s.currentRevision)
      return waiting(`${s.updatedReplicas ?? 0} of ${replicas} pods at the new revision`);
    return { state: "done", message: `${name} rolled out`, progress };
  }

  const desired = s.desiredNumberScheduled ?? 0;
  if ((s.updatedNumberScheduled ?? 0) < desired)
    return waiting(`${s.updatedNumberScheduled ?? 0} of ${desired} pods updated`);
  if ((s.numberAvailable ?? 0) < desired)
    return waiting(`${s.numberAvailable ?? 0} of ${desired} updated pods available`);
  return { state: "done", message: `${name} rolled out`, progress };
}

export function formatProgress(p: Progress): string {
  return `${p.updated} updated, ${p.ready} ready, ${p.available} available of ${p.desired}`;
}

/** The pod label that marks the new revision's pods, once known. */
export function newRevisionSelector(
  kind: WorkloadKind,
  obj: KubeObject,
  owned: KubeObject[],
): { label: string; value: string; revision: string } | undefined {
  if (kind === "deployment") {
    const revision = obj.metadata.annotations?.["deployment.kubernetes.io/revision"];
    const rs = owned.find((r) => r.metadata.annotations?.["deployment.kubernetes.io/revision"] === revision);
    const hash = rs?.metadata.labels?.["pod-template-hash"];
    return revision && hash ? { label: "pod-template-hash", value: hash, revision } : undefined;
  }
  if (kind === "statefulset") {
    const update = obj.status?.updateRevision as string | undefined;
    if (!update) return undefined;
    const cr = owned.find((r) => r.metadata.name === update);
    return { label: "controller-revision-hash", value: update, revision: String(cr?.revision ?? update) };
  }
  // DaemonSet: the newest ControllerRevision is the one its pods are being moved to.
  const newest = [...owned].sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
  const hash = newest?.metadata.labels?.["controller-revision-hash"];
  return newest && hash
    ? { label: "controller-revision-hash", value: hash, revision: String(newest.revision) }
    : undefined;
}
