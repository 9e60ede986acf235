import type { ClusterFile, ServiceSpec } from "../inventory/schema";
import { probeExec } from "../probes/exec";
import { type ProbeOutcome, probeHttp } from "../probes/http";
import { probeTcp } from "../probes/tcp";
import { type Finding, resourceName } from "./finding";

export interface ServiceResult {
  service: ServiceSpec;
  outcome?: ProbeOutcome;
  durationMs: number;
}

const KIND = { deployment: "Deployment", statefulset: "StatefulSet", daemonset: "DaemonSet" } as Record<
  string,
  string
>;

export function serviceResource(spec: ServiceSpec, namespace: string): string {
  if (!spec.workload) return resourceName("Service", spec.name, namespace);
  const [kind, name] = spec.workload.split("/") as [string, string];
  return resourceName(KIND[kind] ?? kind, name, spec.namespace ?? namespace);
}

/** Every service's probe, all at once, each with its own timeout. */
export async function runServiceProbes(
  config: ClusterFile,
  target: { kubeconfig: string; context: string },
  env: NodeJS.ProcessEnv,
): Promise<ServiceResult[]> {
  return Promise.all(
    config.services.map(async (service): Promise<ServiceResult> => {
      const started = Date.now();
      const p = service.probe;
      let outcome: ProbeOutcome | undefined;
      if (p?.http)
        outcome = await probeHttp({
          url: p.http.url,
          status: p.http.status,
          bodyContains: p.http.body,
          json: p.http.json,
          timeoutMs: p.http.timeoutMs,
        });
      else if (p?.tcp) outcome = await probeTcp(p.tcp.host, p.tcp.port, p.tcp.timeoutMs);
      else if (p?.exec) {
        outcome = await probeExec(
          {
            ...target,
            namespace: service.namespace ?? config.cluster.namespace,
            pod: p.exec.pod,
            container: p.exec.container,
            command: p.exec.command,
            expect: p.exec.expect,
            timeoutMs: p.exec.timeoutMs,
          },
          env,
        );
      }
      return { service, outcome, durationMs: Date.now() - started };
    }),
  );
}

const WORDS: Record<string, string> = {
  refused: "refused the connection",
  timeout: "timed out",
  unreachable: "is unreachable",
  "wrong-status": "answered with the wrong status",
  "wrong-body": "answered, but wrongly",
};

/** Pure: the findings of the probe results. */
export function serviceFindings(results: ServiceResult[], config: ClusterFile): Finding[] {
  return results.flatMap(({ service, outcome }) => {
    if (!outcome || outcome.ok) return [];
    return [
      {
        id: `services.${outcome.kind}`,
        severity: service.critical ? "critical" : "warning",
        resource: serviceResource(service, config.cluster.namespace),
        message: `${service.name} ${WORDS[outcome.kind]}: ${outcome.detail}`,
        hint:
          outcome.kind === "refused"
            ? "Nothing listens on that port: is the pod running, the NodePort right and the Docker mapping present? For 3111, is the host worker up?"
            : outcome.kind === "timeout"
              ? "Something accepts but does not answer: a hung process (check its probes) or a zombie Colima (heal recovers it)."
              : "The service answers but not as expected: read its logs.",
      } satisfies Finding,
    ];
  });
}
