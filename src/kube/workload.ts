import { badInput } from "../errors";
import { KubeApiError, type KubeClient, type KubeObject } from "./client";
import type { WorkloadKind } from "./rollout";

/** A workload named the way kubectl names it: kind/name in a namespace. */
export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
  namespace: string;
}

const RESOURCE: Record<WorkloadKind, string> = {
  deployment: "deployments",
  statefulset: "statefulsets",
  daemonset: "daemonsets",
};

export const workloadPath = (ref: WorkloadRef) =>
  `/apis/apps/v1/namespaces/${ref.namespace}/${RESOURCE[ref.kind]}/${ref.name}`;
export const namespacedPath = (namespace: string, group: string, resource: string) =>
  `${group === "" ? "/api/v1" : `/apis/${group}`}/namespaces/${namespace}/${resource}`;
export const describeRef = (ref: WorkloadRef) => `${ref.kind}/${ref.name} in namespace ${ref.namespace}`;

export async function getWorkload(client: KubeClient, ref: WorkloadRef): Promise<KubeObject | undefined> {
  try {
    return await client.get(workloadPath(ref));
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** The container to change: the named one, or the only one; anything else is bad input. */
export function chooseContainer(
  obj: KubeObject,
  ref: WorkloadRef,
  wanted: string | undefined,
): { name: string; image: string } {
  const containers: Array<{ name: string; image: string }> = obj.spec?.template?.spec?.containers ?? [];
  const names = containers.map((c) => c.name).join(", ");
  if (wanted) {
    const found = containers.find((c) => c.name === wanted);
    if (!found)
      throw badInput(
        `input "container": ${describeRef(ref)} has no container "${wanted}".`,
        `Its containers: ${names}.`,
      );
    return found;
  }
  if (containers.length !== 1) {
    throw badInput(
      `input "container" is required: ${describeRef(ref)} has ${containers.length} containers (${names}).`,
      "Name the one to update.",
    );
  }
  return containers[0] as { name: string; image: string };
}

/** Sets one container's image and records the change cause, as `kubectl set image` + annotate do. */
export function setImage(
  client: KubeClient,
  ref: WorkloadRef,
  container: string,
  image: string,
  changeCause: string,
): Promise<KubeObject> {
  return client.patch(
    workloadPath(ref),
    {
      metadata: { annotations: { "kubernetes.io/change-cause": changeCause } },
      spec: { template: { spec: { containers: [{ name: container, image }] } } },
    },
    "strategic",
  );
}

/**
 * Puts back the pod template captured before the deploy, as `kubectl rollout undo` does (a JSON Patch
 * replacing /spec/template), then records why in the change cause.
 */
export async function restoreTemplate(
  client: KubeClient,
  ref: WorkloadRef,
  template: unknown,
  changeCause: string,
): Promise<KubeObject> {
  const restored = await client.patch(
    workloadPath(ref),
    [{ op: "replace", path: "/spec/template", value: template }],
    "json",
  );
  await recordChangeCause(client, ref, changeCause);
  return restored;
}

/** Records why the workload changed (kubernetes.io/change-cause), as `kubectl annotate` would. */
export async function recordChangeCause(
  client: KubeClient,
  ref: WorkloadRef,
  changeCause: string,
): Promise<void> {
  await client.patch(
    workloadPath(ref),
    { metadata: { annotations: { "kubernetes.io/change-cause": changeCause } } },
    "merge",
  );
}

/** The objects that record a workload's revisions: ReplicaSets for a Deployment, ControllerRevisions otherwise. */
export function revisionCollection(ref: WorkloadRef): string {
  return namespacedPath(
    ref.namespace,
    "apps/v1",
    ref.kind === "deployment" ? "replicasets" : "controllerrevisions",
  );
}

export function ownedBy(obj: KubeObject, owner: KubeObject): boolean {
  return (obj.metadata.ownerReferences ?? []).some((o) => o.uid === owner.metadata.uid);
}

/** label=value,... from a workload's matchLabels (matchExpressions are not used by the workloads here). */
export function selectorOf(obj: KubeObject): string {
  const labels: Record<string, string> = obj.spec?.selector?.matchLabels ?? {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** JSON with sorted keys: two templates are the same when these strings are. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
