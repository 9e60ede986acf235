import { type Area, areaOf, type Finding, SEVERITY_ORDER } from "../checks/finding";

/** The verify/audit JSON document: ok is false when any finding is critical. */
export function findingsJson(findings: Finding[]): { ok: boolean; findings: Finding[] } {
  return {
    ok: !findings.some((f) => f.severity === "critical"),
    findings: sortFindings(findings).map(({ id, severity, resource, message, hint }) => ({
      id,
      severity,
      resource,
      message,
      hint,
    })),
  };
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.id.localeCompare(b.id) ||
      a.resource.localeCompare(b.resource),
  );
}

const ICON = { critical: "✖", warning: "▲", info: "·" } as const;

/** A compact table for a terminal. */
export function terminalTable(findings: Finding[]): string {
  if (findings.length === 0) return "✔ no findings";
  const rows = sortFindings(findings).map((f) => [
    `${ICON[f.severity]} ${f.severity}`,
    f.resource,
    f.message,
  ]);
  const widths = [11, Math.min(48, Math.max(...rows.map((r) => (r[1] as string).length)))];
  const lines = rows.map(
    ([sev, res, msg]) =>
      `${(sev as string).padEnd(widths[0] as number)} ${(res as string).padEnd(widths[1] as number)} ${msg}`,
  );
  const counts = (["critical", "warning", "info"] as const)
    .map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`)
    .join(", ");
  return `${lines.join("\n")}\n${counts}`;
}

const escapeCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A table per area, for the job summary. */
export function findingsMarkdown(title: string, findings: Finding[], areas: Area[]): string {
  const { ok } = findingsJson(findings);
  const out = [`### ${ok ? "✅" : "❌"} ${title}`, ""];
  for (const area of areas) {
    const inArea = sortFindings(findings.filter((f) => areaOf(f) === area));
    out.push(`#### ${area}`, "");
    if (inArea.length === 0) {
      out.push("No findings.", "");
      continue;
    }
    out.push("| severity | resource | finding | fix |", "|---|---|---|---|");
    for (const f of inArea)
      out.push(
        `| ${ICON[f.severity]} ${f.severity} | \`${escapeCell(f.resource)}\` | ${escapeCell(f.message)} | ${escapeCell(f.hint)} |`,
      );
    out.push("");
  }
  return out.join("\n");
}
