/** One result of a check: what is wrong (or notable), where, and what to do. */
export type Severity = "critical" | "warning" | "info";
export type Area = "cluster" | "services" | "policy" | "host";

export interface Finding {
  /** area.rule, e.g. policy.probe-missing */
  id: string;
  severity: Severity;
  /** Kind/namespace/name (cluster-scoped: Kind/name); for host checks host/<thing>. */
  resource: string;
  message: string;
  hint: string;
}

export const areaOf = (f: Finding): Area => f.id.split(".")[0] as Area;

export const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export function resourceName(kind: string, name: string, namespace?: string): string {
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}
