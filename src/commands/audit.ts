import { z } from "zod";
import { policyFindingsFor } from "../checks/run-policy";
import { listInput } from "../inputs/parse";
import { loadClusterFile } from "../inventory/load";
import { clusterFileSchema } from "../inventory/schema";
import { readManifests } from "../kube/apply";
import { findingsJson, findingsMarkdown, terminalTable } from "../report/findings";
import type { Command } from "./command";

export const auditInputs = z.object({
  manifests: listInput({ separators: "lines-and-commas" }).refine(
    (items) => items.length > 0,
    "is required: manifest files or directories",
  ),
  config: z.string().trim().optional(),
});

/** verify's policy checks, offline, over manifest files. */
export const audit: Command<typeof auditInputs> = {
  name: "audit",
  description:
    "Check manifests against the cluster's rules (probes, NodePorts, image tags) without a cluster",
  inputs: auditInputs,
  secretInputs: [],

  async run(inputs, rt) {
    const config = inputs.config
      ? await loadClusterFile(inputs.config)
      : clusterFileSchema.parse({ cluster: {} });
    const skipped: string[] = [];
    const manifests = await readManifests(inputs.manifests, skipped);
    for (const file of [...new Set(skipped)])
      rt.info(`skipped ${file}: not a Kubernetes object (e.g. Helm values)`);
    const findings = policyFindingsFor(
      manifests.map((m) => m.object),
      config,
    );
    const doc = findingsJson(findings);
    rt.setOutput("ok", String(doc.ok));
    rt.setOutput("findings", JSON.stringify(doc.findings));
    rt.setOutput("report", JSON.stringify(doc));
    rt.info(terminalTable(findings));
    rt.appendSummary(findingsMarkdown(`audit of ${manifests.length} objects`, findings, ["policy"]));
    return { exitCode: doc.ok ? 0 : 1, json: doc };
  },
};
