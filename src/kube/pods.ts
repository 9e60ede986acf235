import type { KubeObject } from "./client";

/** What makes a new pod a failed release, and how to say why. Pure. */

export const FAILING_WAITING_REASONS = [
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
] as const;

/** The pod's Ready condition is True. */
export function isReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
  );
}

export interface PodFailure {
  pod: string;
  container?: string;
  reason: string;
  message: string;
  exitCode?: number;
  restarts?: number;
}

export interface FailFastPolicy {
  /** Waiting reasons that end the wait at once. */
  reasons: readonly string[];
  /** How long a pod may stay unschedulable before that counts as failure. */
  unschedulableGraceMs: number;
}

export const DEFAULT_POLICY: FailFastPolicy = {
  reasons: FAILING_WAITING_REASONS,
  unschedulableGraceMs: 15_000,
};

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; exitCode?: number; message?: string };
  };
  lastState?: { terminated?: { reason?: string; exitCode?: number; message?: string } };
}

export function podFailure(
  pod: KubeObject,
  now: Date,
  policy: FailFastPolicy = DEFAULT_POLICY,
): PodFailure | undefined {
  const name = pod.metadata.name;
  const statuses: ContainerStatus[] = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const c of statuses) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && policy.reasons.includes(waiting.reason)) {
      return {
        pod: name,
        container: c.name,
        reason: waiting.reason,
        message: waiting.message ?? "",
        exitCode: c.lastState?.terminated?.exitCode,
        restarts: c.restartCount,
      };
    }
    const oom = [c.state?.terminated, c.lastState?.terminated].find((t) => t?.reason === "OOMKilled");
    if (oom)
      return {
        pod: name,
        container: c.name,
        reason: "OOMKilled",
        message: oom.message ?? "",
        exitCode: oom.exitCode,
        restarts: c.restartCount,
      };
  }
  const scheduled = (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === "PodScheduled");
  if (scheduled?.status === "False" && scheduled.reason === "Unschedulable") {
    const since = Date.parse(
      scheduled.lastTransitionTime ?? pod.metadata.creationTimestamp ?? now.toISOString(),
    );
    if (now.getTime() - since >= policy.unschedulableGraceMs) {
      return { pod: name, reason: "Unschedulable", message: scheduled.message ?? "" };
    }
  }
  return undefined;
}

/** One line of cause and what to do, from a failure and the image deployed. */
export function explainFailure(f: PodFailure, image: string | undefined): { cause: string; hint: string } {
  const where = f.container ? `container ${f.container} of pod ${f.pod}` : `pod ${f.pod}`;
  switch (f.reason) {
    case "ImagePullBackOff":
    case "ErrImagePull":
    case "InvalidImageName": {
      const denied = /unauthorized|denied|authentication required|403|401/i.test(f.message);
      return denied
        ? {
            cause: `the node may not pull ${image ?? "the image"} (${f.reason}): the pull credentials were refused.`,
            hint: "Check the workload's imagePullSecrets (ghcr-pull on joelclaw) hold a PAT with read:packages that has not expired.",
          }
        : {
            cause: `${image ?? "the image"} cannot be pulled (${f.reason}): the tag or digest does not exist, or the name is wrong.`,
            hint: "Check that build-push pushed this exact reference (use its image-ref output) and that the name is lowercase.",
          };
    }
    case "CrashLoopBackOff":
    case "RunContainerError":
      return {
        cause: `${where} crashes on start${f.exitCode !== undefined ? ` (exit code ${f.exitCode})` : ""}, restarted ${f.restarts ?? 0} times.`,
        hint: "Read the container's last log lines below; the release itself is broken (configuration, missing dependency or a bug).",
      };
    case "OOMKilled":
      return {
        cause: `${where} was killed for exceeding its memory limit (OOMKilled).`,
        hint: "Raise resources.limits.memory or fix the memory use; on the Mac Mini the Talos container itself is capped at 18g.",
      };
    case "CreateContainerConfigError":
    case "CreateContainerError": {
      const missing = /(secret|configmap) "([^"]+)" not found/i.exec(f.message);
      return missing
        ? {
            cause: `${where} cannot start: its ${missing[1]} "${missing[2]}" does not exist.`,
            hint: `Create the ${missing[1]} ${missing[2]} in the namespace (or fix the reference), then deploy again.`,
          }
        : {
            cause: `${where} cannot be created (${f.reason}): ${f.message}`,
            hint: "Fix the container's configuration in the manifest.",
          };
    }
    case "Unschedulable": {
      const taint = /node-role\.kubernetes\.io\/control-plane/.test(f.message);
      return taint
        ? {
            cause: `pod ${f.pod} cannot be scheduled: the control-plane NoSchedule taint is back on the only node (it returns after every Docker/Talos restart).`,
            hint: "Run heal (or: kubectl taint nodes --all node-role.kubernetes.io/control-plane:NoSchedule- && kubectl uncordon <node>).",
          }
        : /unschedulable/i.test(f.message)
          ? {
              cause: `pod ${f.pod} cannot be scheduled: the node is cordoned (${f.message})`,
              hint: "Run heal, or uncordon the node (kubectl uncordon <node>).",
            }
          : {
              cause: `pod ${f.pod} cannot be scheduled: ${f.message}`,
              hint: "Free resources on the node or lower the pod's requests.",
            };
    }
    default:
      return { cause: `${where}: ${f.reason} ${f.message}`.trim(), hint: "See the pod's events below." };
  }
}
