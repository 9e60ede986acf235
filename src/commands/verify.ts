import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type ClusterState, clusterFindings } from "../checks/cluster";
import type { Finding } from "../checks/finding";
import { hostFindings } from "../checks/host";
import { volumeFindings } from "../checks/policy";
import { policyFindingsFor } from "../checks/run-policy";
import { runServiceProbes, type ServiceResult, serviceFindings } from "../checks/services";
import { badInput } from "../errors";
import { readHostFacts } from "../host/facts";
import { loadClusterFile } from "../inventory/load";
import type { ClusterFile } from "../inventory/schema";
import { KubeClient, type KubeList, type KubeObject } from "../kube/client";
import { kubeconfigPath, loadKubeTarget } from "../kube/kubeconfig";
import { findingsJson, findingsMarkdown, terminalTable } from "../report/findings";
import { trafficDiagram } from "../report/mermaid";
import { readGitHubContext } from "../runtime/github-context";
import type { Command } from "./command";

export const verifyInputs = z.object({
  config: z.string().trim().default("examples/joelclaw.cluster.yaml"),
  kubeconfig: z.string().trim().optional(),
  context: z.string().trim().optional(),
  "report-file": z.string().trim().optional(),
});

/** One health and policy report of the cluster, its services and its host. */
export const verify: Command<typeof verifyInputs> = {
  name: "verify",
  description:
    "One health and policy report of the cluster, its services and its host; exit 1 on critical findings",
  inputs: verifyInputs,
  secretInputs: [],

  async run(inputs, rt) {
    const started = Date.now();
    const config = await loadClusterFile(inputs.config);
    const kubeconfig = kubeconfigPath(inputs.kubeconfig ?? config.cluster.kubeconfig, rt.env);
    const target = await loadKubeTarget(kubeconfig, inputs.context ?? config.cluster.context, rt.env);
    const client = new KubeClient(target);
    let results: ServiceResult[] = [];
    let findings: Finding[];
    try {
      const [clusterSide, probes, host] = await Promise.all([
        clusterAndPolicy(client, config),
        runServiceProbes(config, { kubeconfig, context: target.context }, rt.env),
        readHostFacts(config.host, rt.env),
      ]);
      results = probes;
      findings = [...clusterSide, ...serviceFindings(probes, config), ...hostFindings(host, config)];
    } finally {
      client.close();
    }
    const doc = findingsJson(findings);
    const reportFile =
      inputs["report-file"] ?? join(readGitHubContext(rt.env).tempDir, "joelclaw-verify.json");
    await writeFile(reportFile, `${JSON.stringify(doc, null, 2)}\n`).catch((error: Error) => {
      throw badInput(
        `input "report-file": cannot write ${reportFile} (${error.message}).`,
        "Give a path in an existing, writable directory.",
      );
    });
    for (const f of doc.findings.filter((x) => x.severity === "critical"))
      rt.error(`${f.resource}: ${f.message}\nFix: ${f.hint}`);
    rt.info(terminalTable(findings));
    rt.info(
      `verify: ${doc.ok ? "healthy" : "NOT healthy"} in ${((Date.now() - started) / 1000).toFixed(1)} s; report: ${reportFile}`,
    );
    rt.setOutput("ok", String(doc.ok));
    rt.setOutput("report", JSON.stringify(doc));
    rt.setOutput("report-file", reportFile);
    rt.appendSummary(
      `${findingsMarkdown("verify", findings, ["cluster", "services", "policy", "host"])}\n#### traffic paths\n\n${trafficDiagram(config, results, findings)}\n`,
    );
    return { exitCode: doc.ok ? 0 : 1, json: doc };
  },
};

async function clusterAndPolicy(client: KubeClient, config: ClusterFile): Promise<Finding[]> {
  const ns = config.cluster.namespace;
  const list = async (path: string) => (await client.get<KubeList>(path)).items;
  const withKind = (kind: string) => (items: KubeObject[]) => items.map((o) => ({ ...o, kind }));
  try {
    await client.requestText("GET", "/readyz");
  } catch (error) {
    return [
      {
        id: "cluster.api-unreachable",
        severity: "critical",
        resource: `Cluster/${client.target.context}`,
        message: `the Kubernetes API at ${client.target.server} does not answer: ${(error as Error).message}`,
        hint: "Run heal: after a reboot or a Colima zombie the API needs the VM, Docker and the Talos container back.",
      },
    ];
  }
  const { namespace: flannelNs, daemonset } = config.cluster.flannel;
  const [nodes, flannel, deployments, statefulsets, daemonsets, pods, services, pvcs, pvs] =
    await Promise.all([
      list("/api/v1/nodes"),
      client.get(`/apis/apps/v1/namespaces/${flannelNs}/daemonsets/${daemonset}`).catch(() => undefined),
      list(`/apis/apps/v1/namespaces/${ns}/deployments`).then(withKind("Deployment")),
      list(`/apis/apps/v1/namespaces/${ns}/statefulsets`).then(withKind("StatefulSet")),
      list(`/apis/apps/v1/namespaces/${ns}/daemonsets`).then(withKind("DaemonSet")),
      list(`/api/v1/namespaces/${ns}/pods`),
      list(`/api/v1/namespaces/${ns}/services`).then(withKind("Service")),
      list(`/api/v1/namespaces/${ns}/persistentvolumeclaims`),
      list("/api/v1/persistentvolumes"),
    ]);
  const workloads = [...deployments, ...statefulsets, ...daemonsets];
  const state: ClusterState = { nodes, flannel, workloads, pods };
  const critical = new Set(
    config.services.filter((s) => s.critical && s.workload).map((s) => s.workload as string),
  );
  return [
    ...clusterFindings(state, config, critical),
    ...policyFindingsFor([...workloads, ...services], config),
    ...volumeFindings(pvcs, pvs),
  ];
}
