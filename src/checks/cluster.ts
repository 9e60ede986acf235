import type { ClusterFile } from "../inventory/schema";
import type { KubeObject } from "../kube/client";
import { type Finding, resourceName } from "./finding";

/** What the cluster checks read, fetched once. */
export interface ClusterState {
  nodes: KubeObject[];
  flannel?: KubeObject;
  workloads: KubeObject[];
  pods: KubeObject[];
}

const HEAL =
  "Run heal (workflow_dispatch → heal, or npx joelclaw-k8s heal), which does the runbook's recovery.";
const condition = (o: KubeObject, type: string) =>
  (o.status?.conditions ?? []).find((c: { type: string }) => c.type === type);

/** Nodes, flannel, workloads and pods against the runbook's healthy shape. Pure. */
export function clusterFindings(
  state: ClusterState,
  config: ClusterFile,
  criticalWorkloads: Set<string>,
): Finding[] {
  const findings: Finding[] = [];
  const single = config.cluster.singleNode;
  for (const node of state.nodes) {
    const resource = resourceName("Node", node.metadata.name);
    const ready = condition(node, "Ready");
    if (ready?.status !== "True") {
      findings.push({
        id: "cluster.node-not-ready",
        severity: "critical",
        resource,
        message:
          `node is not Ready (${ready?.reason ?? "no Ready condition"}: ${ready?.message ?? ""})`.trim(),
        hint: HEAL,
      });
    }
    if (node.spec?.unschedulable) {
      findings.push({
        id: "cluster.node-cordoned",
        severity: single ? "critical" : "warning",
        resource,
        message: "node is cordoned: nothing new can be scheduled",
        hint: `kubectl uncordon ${node.metadata.name} (runbook rule 3), or ${HEAL}`,
      });
    }
    const taint = (node.spec?.taints ?? []).find(
      (t: { key: string; effect: string }) =>
        t.key === "node-role.kubernetes.io/control-plane" && t.effect === "NoSchedule",
    );
    if (taint && single) {
      findings.push({
        id: "cluster.control-plane-taint",
        severity: "critical",
        resource,
        message:
          "the control-plane NoSchedule taint is on the only node (it returns after every Docker/Talos restart): new pods cannot schedule",
        hint: `kubectl taint nodes ${node.metadata.name} node-role.kubernetes.io/control-plane:NoSchedule- (runbook rule 3), or ${HEAL}`,
      });
    }
  }
  if (state.nodes.length === 0)
    findings.push({
      id: "cluster.no-nodes",
      severity: "critical",
      resource: "Node/*",
      message: "the cluster has no nodes",
      hint: HEAL,
    });

  const { namespace: flannelNs, daemonset } = config.cluster.flannel;
  const flannelRes = resourceName("DaemonSet", daemonset, flannelNs);
  if (!state.flannel) {
    findings.push({
      id: "cluster.flannel-missing",
      severity: "critical",
      resource: flannelRes,
      message: "the flannel DaemonSet does not exist: pods get no network",
      hint: "Reinstall flannel (Talos manages it); see the runbook's operations notes.",
    });
  } else {
    const desired = state.flannel.status?.desiredNumberScheduled ?? 0;
    const available = state.flannel.status?.numberAvailable ?? 0;
    if (desired === 0 || available < desired) {
      findings.push({
        id: "cluster.flannel-unavailable",
        severity: "critical",
        resource: flannelRes,
        message: `flannel available ${available} of ${desired}`,
        hint: `Restart the flannel pods (kubectl -n ${flannelNs} delete pod -l app=flannel); if they crash on br_netfilter, load it in the VM: ssh lima-colima "sudo modprobe br_netfilter". ${HEAL}`,
      });
    }
  }

  for (const w of state.workloads) {
    const kind = w.kind ?? "Workload";
    const desired = kind === "DaemonSet" ? (w.status?.desiredNumberScheduled ?? 0) : (w.spec?.replicas ?? 1);
    const available =
      kind === "DaemonSet"
        ? (w.status?.numberAvailable ?? 0)
        : kind === "StatefulSet"
          ? (w.status?.availableReplicas ?? w.status?.readyReplicas ?? 0)
          : (w.status?.availableReplicas ?? 0);
    if (available < desired) {
      const key = `${kind.toLowerCase()}/${w.metadata.name}`;
      findings.push({
        id: "cluster.workload-unavailable",
        severity: criticalWorkloads.has(key) ? "critical" : "warning",
        resource: resourceName(kind, w.metadata.name, w.metadata.namespace),
        message: `${available} of ${desired} replicas available`,
        hint: "See the pod findings below for why; kubectl describe the pods for events.",
      });
    }
  }

  for (const pod of state.pods) {
    const resource = resourceName("Pod", pod.metadata.name, pod.metadata.namespace);
    if (pod.metadata.deletionTimestamp && pod.status?.reason === "NodeLost") {
      findings.push({
        id: "cluster.pod-lost",
        severity: "critical",
        resource,
        message: "pod is Unknown: its node lost it (NodeLost) and it is stuck terminating",
        hint: `Force-delete it so its controller recreates it: kubectl -n ${pod.metadata.namespace} delete pod ${pod.metadata.name} --grace-period=0 --force`,
      });
      continue;
    }
    for (const c of pod.status?.containerStatuses ?? []) {
      const reason = c.state?.waiting?.reason as string | undefined;
      if (
        reason &&
        [
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "CreateContainerConfigError",
          "InvalidImageName",
        ].includes(reason)
      ) {
        findings.push({
          id: "cluster.pod-failing",
          severity: "critical",
          resource,
          message: `container ${c.name} is in ${reason}${c.restartCount ? ` (${c.restartCount} restarts)` : ""}`,
          hint: reason.includes("Image")
            ? "Check the image reference and the pull secret (ghcr-pull)."
            : `Read its logs: kubectl -n ${pod.metadata.namespace} logs ${pod.metadata.name} -c ${c.name} --previous`,
        });
      } else if ((c.restartCount ?? 0) >= config.cluster.restartWarning) {
        findings.push({
          id: "cluster.pod-restarting",
          severity: "warning",
          resource,
          message: `container ${c.name} has restarted ${c.restartCount} times`,
          hint: `Read its previous logs: kubectl -n ${pod.metadata.namespace} logs ${pod.metadata.name} -c ${c.name} --previous`,
        });
      }
    }
  }
  return findings;
}
