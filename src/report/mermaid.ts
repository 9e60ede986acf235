import type { Finding } from "../checks/finding";
import type { ServiceResult } from "../checks/services";
import type { ClusterFile } from "../inventory/schema";

/** The traffic path of each host port, host → Docker mapping → NodePort → Service → pods, coloured by health. */
export function trafficDiagram(config: ClusterFile, results: ServiceResult[], findings: Finding[]): string {
  const lines = [
    "```mermaid",
    "flowchart LR",
    "  classDef ok fill:#d9f7d9,stroke:#2a7a2a",
    "  classDef bad fill:#f9d6d6,stroke:#a12a2a",
    "  classDef none fill:#eeeeee,stroke:#888888",
  ];
  const bad = (resourceEnd: string) =>
    findings.some((f) => f.severity !== "info" && f.resource.endsWith(resourceEnd));
  for (const service of config.services) {
    const id = service.name.replace(/[^a-z0-9]/g, "_");
    const probe = results.find((r) => r.service.name === service.name)?.outcome;
    const health = probe === undefined ? "none" : probe.ok ? "ok" : "bad";
    const workload = service.workload?.split("/")[1];
    for (const p of service.ports) {
      const host = `${id}_h${p.host}`;
      lines.push(`  ${host}["localhost:${p.host}"]:::${health}`);
      if (p.container === undefined) {
        lines.push(`  ${host} --> ${id}_hostproc["host process"]:::${health}`);
        continue;
      }
      const svc = p.service ?? service.name;
      lines.push(`  ${host} --> ${id}_d${p.host}["docker ${p.host}→${p.container}"]:::${health}`);
      lines.push(
        `  ${id}_d${p.host} --> ${id}_n${p.host}["NodePort ${p.nodePort ?? "?"}"]:::${bad(`Service/${service.namespace ?? config.cluster.namespace}/${svc}`) ? "bad" : health}`,
      );
      lines.push(`  ${id}_n${p.host} --> ${id}_svc_${svc.replace(/[^a-z0-9]/g, "_")}["Service ${svc}"]`);
      if (workload)
        lines.push(
          `  ${id}_svc_${svc.replace(/[^a-z0-9]/g, "_")} --> ${id}_w["${service.workload}"]:::${bad(`/${workload}`) ? "bad" : health}`,
        );
    }
  }
  lines.push("```");
  return lines.join("\n");
}
