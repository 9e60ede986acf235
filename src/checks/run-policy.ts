import type { ClusterFile } from "../inventory/schema";
import type { KubeObject } from "../kube/client";
import type { Finding } from "./finding";
import { imageFindings, portFindings, probeFindings } from "./policy";

/** The policy checks that need only objects (manifests or live), not a cluster. */
export function policyFindingsFor(objects: KubeObject[], config: ClusterFile): Finding[] {
  const namespace = config.cluster.namespace;
  return [
    ...probeFindings(objects, namespace),
    ...imageFindings(objects, namespace),
    ...portFindings(objects, config),
  ];
}
