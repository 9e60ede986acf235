import type { KubeClient, KubeObject } from "./client";
import { DEFAULT_POLICY, type FailFastPolicy, isReady, type PodFailure, podFailure } from "./pods";
import {
  formatProgress,
  newRevisionSelector,
  type Progress,
  rolloutState,
  type WorkloadKind,
} from "./rollout";
import { ListWatch } from "./watch";
import { namespacedPath, ownedBy, revisionCollection, selectorOf, type WorkloadRef } from "./workload";

export interface WaitOptions {
  client: KubeClient;
  ref: WorkloadRef;
  /** The generation the change produced; status is read only once the controller has observed it. */
  generation: number;
  timeoutMs: number;
  /** End the wait at the first failing pod of the new revision. */
  failFast: boolean;
  policy?: FailFastPolicy;
  /** A progress line every `progressEveryMs`. */
  onProgress: (line: string) => void;
  onNotice: (line: string) => void;
  progressEveryMs?: number;
}

export interface TimelineEntry {
  atMs: number;
  text: string;
}

export interface WaitResult {
  outcome: "done" | "failed" | "timeout";
  message: string;
  progress: Progress;
  failure?: PodFailure;
  revision?: string;
  /** Pods of the new revision at the verdict. */
  newPods: KubeObject[];
  timeline: TimelineEntry[];
  durationMs: number;
  /** When a failing status was first seen on a new pod (ms from the start): the bench measures from here. */
  firstFailureAtMs?: number;
}

const COLLECTION: Record<WorkloadKind, string> = {
  deployment: "deployments",
  statefulset: "statefulsets",
  daemonset: "daemonsets",
};

/**
 * Waits for a rollout by watching the workload, its revisions and its pods (never by sleeping), and
 * returns kubectl's verdict, or a failure as soon as a pod of the new revision fails.
 */
export async function waitForRollout(options: WaitOptions): Promise<WaitResult> {
  const { client, ref } = options;
  const started = Date.now();
  const controller = new AbortController();
  const timeline: TimelineEntry[] = [];
  const note = (text: string) => timeline.push({ atMs: Date.now() - started, text });
  const seenPodStates = new Map<string, string>();
  let result: WaitResult | undefined;
  let finish!: (r: WaitResult) => void;
  const finished = new Promise<WaitResult>((resolve) => {
    finish = resolve;
  });
  let lastProgress: Progress = { desired: 0, updated: 0, ready: 0, available: 0 };
  let lastMessage = "waiting for the first status";
  let firstFailureAtMs: number | undefined;
  let lastFailure: PodFailure | undefined;

  const workloads = new ListWatch(client, {
    collection: namespacedPath(ref.namespace, "apps/v1", COLLECTION[ref.kind]),
    fieldSelector: `metadata.name=${ref.name}`,
    onChange: () => evaluate(),
    onNotice: (m) => options.onNotice(m),
  });
  let revisions: ListWatch | undefined;
  let pods: ListWatch | undefined;

  const end = (outcome: WaitResult["outcome"], message: string, extra: Partial<WaitResult> = {}) => {
    if (result) return;
    note(message);
    result = {
      outcome,
      message,
      progress: lastProgress,
      newPods: [],
      timeline,
      durationMs: Date.now() - started,
      firstFailureAtMs,
      ...extra,
    };
    finish(result);
  };

  function evaluate(): void {
    if (result) return;
    const obj = workloads.objects.get(ref.name);
    if (!obj) return;
    if (!revisions || !pods) {
      const selector = selectorOf(obj);
      revisions = new ListWatch(client, {
        collection: revisionCollection(ref),
        labelSelector: selector,
        onChange: () => evaluate(),
        onNotice: () => {},
      });
      pods = new ListWatch(client, {
        collection: namespacedPath(ref.namespace, "", "pods"),
        labelSelector: selector,
        onChange: () => evaluate(),
        onNotice: () => {},
      });
      void revisions.run(controller.signal);
      void pods.run(controller.signal);
      return;
    }
    const state = rolloutState(ref.kind, obj, options.generation);
    lastProgress = state.progress;
    lastMessage = state.message;
    const observed = (obj.status?.observedGeneration ?? 0) >= options.generation;
    const owned = [...revisions.objects.values()].filter((r) => ownedBy(r, obj));
    const selector = observed ? newRevisionSelector(ref.kind, obj, owned) : undefined;
    const newPods = selector
      ? [...pods.objects.values()].filter(
          (p) => p.metadata.labels?.[selector.label] === selector.value && !p.metadata.deletionTimestamp,
        )
      : [];
    for (const pod of newPods) trackPod(pod);

    if (observed && ref.kind === "deployment") {
      const replicaFailure = (obj.status?.conditions ?? []).find(
        (c: { type: string; status: string }) => c.type === "ReplicaFailure" && c.status === "True",
      );
      if (replicaFailure && options.failFast) {
        end("failed", `${ref.kind}/${ref.name}: ReplicaFailure: ${replicaFailure.message}`, {
          failure: {
            pod: "-",
            reason: replicaFailure.reason ?? "ReplicaFailure",
            message: replicaFailure.message ?? "",
          },
          newPods,
          revision: selector?.revision,
        });
        return;
      }
    }
    const now = new Date();
    for (const pod of newPods) {
      const failure = podFailure(pod, now, options.policy ?? DEFAULT_POLICY);
      if (failure) {
        firstFailureAtMs ??= Date.now() - started;
        lastFailure = failure;
        if (options.failFast) {
          end(
            "failed",
            `pod ${failure.pod}${failure.container ? ` (container ${failure.container})` : ""}: ${failure.reason}`,
            {
              failure,
              newPods,
              revision: selector?.revision,
            },
          );
          return;
        }
      }
    }
    if (state.state === "done") end("done", state.message, { newPods, revision: selector?.revision });
    else if (state.state === "failed")
      end("failed", state.message, { newPods, revision: selector?.revision });
  }

  function trackPod(pod: KubeObject): void {
    const cs = pod.status?.containerStatuses?.[0];
    const ready = isReady(pod);
    const label =
      cs?.state?.waiting?.reason ??
      (cs?.state?.terminated ? `Terminated (${cs.state.terminated.reason})` : undefined) ??
      (ready ? "Ready" : (pod.status?.phase ?? "Pending"));
    if (seenPodStates.get(pod.metadata.name) !== label) {
      seenPodStates.set(pod.metadata.name, label);
      note(`pod ${pod.metadata.name}: ${label}`);
    }
  }

  note(`waiting for ${ref.kind}/${ref.name} generation ${options.generation}`);
  void workloads.run(controller.signal);
  const progressTimer = setInterval(
    () => options.onProgress(`${ref.kind}/${ref.name}: ${formatProgress(lastProgress)} (${lastMessage})`),
    options.progressEveryMs ?? 5_000,
  );
  const timeout = setTimeout(
    () =>
      end("timeout", `timed out after ${Math.round(options.timeoutMs / 1000)} s: ${lastMessage}`, {
        failure: lastFailure,
      }),
    options.timeoutMs,
  );
  // Pods that only become "failed" with time (Unschedulable past its grace) need a clock, not an event.
  const tick = setInterval(() => evaluate(), 1_000);
  try {
    return await finished;
  } finally {
    clearInterval(progressTimer);
    clearInterval(tick);
    clearTimeout(timeout);
    controller.abort();
  }
}
