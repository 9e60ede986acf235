import { basename } from "node:path";
import type { HostFacts } from "../host/facts";
import type { ClusterFile } from "../inventory/schema";
import type { Finding } from "./finding";

/** "18g", "512m" in bytes (Docker's units). */
export function parseMemory(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? "").toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

/** The host's facts against the runbook's rules (5, 6, and the Talos container's). Pure. */
export function hostFindings(facts: HostFacts, config: ClusterFile): Finding[] {
  const h = config.host;
  const findings: Finding[] = [];
  const skipped = (what: string, why: string): Finding => ({
    id: "host.skipped",
    severity: "info",
    resource: `host/${what}`,
    message: `not checked: ${why}`,
    hint: "Runs on the Mac Mini, where the tool is present.",
  });

  if ("skipped" in facts.colimaDisk) findings.push(skipped("colima-disk", facts.colimaDisk.skipped));
  else if (facts.colimaDisk.usePercent > h.diskAlertPercent) {
    findings.push({
      id: "host.colima-disk",
      severity: facts.colimaDisk.usePercent >= 95 ? "critical" : "warning",
      resource: `host/colima/${h.colimaProfile}`,
      message: `the Colima VM's disk is ${facts.colimaDisk.usePercent}% full (alert at ${h.diskAlertPercent}%)`,
      hint: "Free space: docker system prune in the VM (colima ssh -- docker system prune -af), or grow the disk (runbook rule 5).",
    });
  }

  for (const plist of facts.plists) {
    if (plist.skipped !== undefined)
      findings.push(skipped(`launchd/${plist.file}`, `${plist.file} ${plist.skipped}`));
    else if (!(plist.path ?? "").split(":").includes(h.requiredPath)) {
      findings.push({
        id: "host.launchd-path",
        severity: "critical",
        resource: `host/launchd/${basename(plist.file)}`,
        message: `its PATH ${plist.path ? `(${plist.path}) ` : ""}lacks ${h.requiredPath}: colima, kubectl and talosctl are not found under launchd`,
        hint: `Set EnvironmentVariables PATH to /opt/homebrew/bin:$HOME/.local/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin (runbook rule 6: 6 days of silent failures once).`,
      });
    }
  }

  if ("skipped" in facts.talos) findings.push(skipped(`talos/${h.talosContainer}`, facts.talos.skipped));
  else {
    const resource = `host/docker/${h.talosContainer}`;
    if (facts.talos.restartPolicy !== "unless-stopped") {
      findings.push({
        id: "host.talos-restart-policy",
        severity: "warning",
        resource,
        message: `the Talos container's restart policy is "${facts.talos.restartPolicy || "no"}", not unless-stopped`,
        hint: `docker update --restart unless-stopped ${h.talosContainer}`,
      });
    }
    const want = parseMemory(h.talosMemory);
    if (want !== undefined && facts.talos.memoryBytes !== want) {
      findings.push({
        id: "host.talos-memory",
        severity: "warning",
        resource,
        message: `the Talos container's memory cap is ${facts.talos.memoryBytes ? `${(facts.talos.memoryBytes / 1024 ** 3).toFixed(1)}g` : "unset"}, not ${h.talosMemory}`,
        hint: `docker update --memory=${h.talosMemory} --memory-swap=${h.talosMemory} ${h.talosContainer}`,
      });
    }
    if (facts.talos.portBindings.includes("3111/tcp")) {
      findings.push({
        id: "host.talos-3111",
        severity: "critical",
        resource,
        message: 'the Talos container binds 3111/tcp: it blocks the host worker ("Unable to reach SDK URL")',
        hint: "Remove the 3111 mapping from the container's hostconfig (stop the container, edit, start), as the runbook's operations notes describe.",
      });
    }
  }

  for (const line of facts.portForwards) {
    findings.push({
      id: "policy.port-forward",
      severity: "warning",
      resource: "host/kubectl-port-forward",
      message: `a kubectl port-forward serves traffic: ${line.trim()}`,
      hint: "Port-forwards die silently on idle/restart: use a NodePort + Docker mapping instead and stop this process (ADR-0148 rule 1).",
    });
  }
  return findings;
}
