import type { ClusterFile } from "../inventory/schema";
import type { KubeObject } from "../kube/client";
import { type Finding, resourceName } from "./finding";

/**
 * The runbook's resilience rules (ADR-0148) over Kubernetes objects, live or from manifests. Pure:
 * the same objects always give the same findings.
 */

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);
const PROBES = [
  ["livenessProbe", "liveness"],
  ["readinessProbe", "readiness"],
  ["startupProbe", "startup"],
] as const;

interface Container {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
}

const workloadResource = (o: KubeObject, namespace: string) =>
  resourceName(o.kind ?? "Workload", o.metadata.name, o.metadata.namespace ?? namespace);

/** Every container of every workload has liveness, readiness and startup probes (rule 2). */
export function probeFindings(objects: KubeObject[], namespace: string): Finding[] {
  const findings: Finding[] = [];
  for (const o of objects.filter((x) => WORKLOAD_KINDS.has(x.kind ?? ""))) {
    for (const c of (o.spec?.template?.spec?.containers ?? []) as Container[]) {
      for (const [field, label] of PROBES) {
        if (c[field] === undefined) {
          findings.push({
            id: "policy.probe-missing",
            severity: "warning",
            resource: workloadResource(o, namespace),
            message: `container ${c.name} has no ${label} probe`,
            hint: `Add a ${field} to container ${c.name} (ADR-0148 rule 2: a missing probe means silent hangs that never recover).`,
          });
        }
      }
    }
  }
  return findings;
}

/** An image without a tag (or :latest) runs whatever the node pulled last. */
export function imageFindings(objects: KubeObject[], namespace: string): Finding[] {
  const findings: Finding[] = [];
  for (const o of objects.filter((x) => WORKLOAD_KINDS.has(x.kind ?? ""))) {
    for (const c of (o.spec?.template?.spec?.containers ?? []) as Container[]) {
      const image = c.image ?? "";
      const tagless = !image.includes("@") && !/:[^/]+$/.test(image);
      if (tagless || /:latest$/.test(image)) {
        findings.push({
          id: "policy.image-latest",
          severity: "warning",
          resource: workloadResource(o, namespace),
          message: `container ${c.name} runs ${image}${tagless ? " (no tag: latest)" : ""}${c.imagePullPolicy ? ` with imagePullPolicy ${c.imagePullPolicy}` : " with no imagePullPolicy"}: the version running is whatever the node pulled last`,
          hint: "Pin a version tag or a digest (build-push's image-ref output) so a restart cannot change the release.",
        });
      }
    }
  }
  return findings;
}

/**
 * Services the host reaches (a Docker mapping in the cluster file) must be NodePort, and each NodePort
 * must equal Docker's container-side port (the PDS 9627→3000 trap).
 */
export function portFindings(objects: KubeObject[], config: ClusterFile): Finding[] {
  const findings: Finding[] = [];
  const services = new Map(
    objects
      .filter((o) => o.kind === "Service")
      .map((o) => [`${o.metadata.namespace ?? config.cluster.namespace}/${o.metadata.name}`, o]),
  );
  for (const spec of config.services) {
    const namespace = spec.namespace ?? config.cluster.namespace;
    for (const p of spec.ports) {
      if (p.container === undefined) continue;
      const svcName = p.service ?? spec.name;
      const resource = resourceName("Service", svcName, namespace);
      if (p.nodePort !== undefined && p.nodePort !== p.container) {
        findings.push({
          id: "policy.nodeport-mismatch",
          severity: "critical",
          resource,
          message: `the cluster file maps host ${p.host} → container ${p.container} but expects NodePort ${p.nodePort}: traffic will not route`,
          hint: `The NodePort must equal Docker's container-side port: set nodePort ${p.container} (runbook: "NodePort value = Docker's container-side port").`,
        });
      }
      const svc = services.get(`${namespace}/${svcName}`);
      if (!svc) continue;
      if (svc.spec?.type !== "NodePort") {
        findings.push({
          id: "policy.service-not-nodeport",
          severity: "critical",
          resource,
          message: `the host reaches ${spec.name} on port ${p.host}, but Service ${svcName} is ${svc.spec?.type ?? "ClusterIP"}, not NodePort`,
          hint: "Make it type NodePort with nodePort = Docker's container-side port (ADR-0148 rule 1: no port-forwards for persistent services).",
        });
        continue;
      }
      const live = ((svc.spec?.ports ?? []) as Array<{ nodePort?: number; port?: number }>).map(
        (x) => x.nodePort,
      );
      if (!live.includes(p.container)) {
        findings.push({
          id: "policy.nodeport-mismatch",
          severity: "critical",
          resource,
          message: `Service ${svcName} has NodePort ${live.filter(Boolean).join(", ") || "none"}, but Docker maps host ${p.host} → container ${p.container}: traffic to localhost:${p.host} will not route`,
          hint: `Patch the NodePort to ${p.container}: kubectl -n ${namespace} patch svc ${svcName} --type=json -p='[{"op":"replace","path":"/spec/ports/0/nodePort","value":${p.container}}]'`,
        });
      }
    }
  }
  return findings;
}

/** PVs with reclaimPolicy Delete behind the namespace's claims: deleting a claim deletes the data (rule 4). */
export function volumeFindings(pvcs: KubeObject[], pvs: KubeObject[]): Finding[] {
  const byName = new Map(pvs.map((pv) => [pv.metadata.name, pv]));
  const findings: Finding[] = [];
  for (const pvc of pvcs) {
    const pv = byName.get(pvc.spec?.volumeName ?? "");
    if (pv?.spec?.persistentVolumeReclaimPolicy === "Delete") {
      findings.push({
        id: "policy.pv-reclaim-delete",
        severity: "warning",
        resource: resourceName("PersistentVolumeClaim", pvc.metadata.name, pvc.metadata.namespace),
        message: `its volume ${pv.metadata.name} has reclaimPolicy Delete: deleting the claim deletes the data`,
        hint: `Never delete this PVC without a backup; to keep the data regardless: kubectl patch pv ${pv.metadata.name} -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'`,
      });
    }
  }
  return findings;
}
