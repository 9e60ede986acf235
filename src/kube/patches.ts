import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { badInput } from "../errors";
import type { KubeClient, PatchType } from "./client";

/**
 * Patches re-applied after every Helm upgrade and rollback (the runbook's "always patch NodePort to
 * 3000"): a YAML list of { target: kind/name, namespace?, type: json|merge|strategic, patch }.
 */
export interface PostPatch {
  target: { kind: string; name: string };
  namespace?: string;
  type: Exclude<PatchType, "apply">;
  patch: unknown;
}

const RESOURCES: Record<string, { group: string; resource: string }> = {
  service: { group: "", resource: "services" },
  deployment: { group: "apps/v1", resource: "deployments" },
  statefulset: { group: "apps/v1", resource: "statefulsets" },
  daemonset: { group: "apps/v1", resource: "daemonsets" },
  configmap: { group: "", resource: "configmaps" },
};

export async function readPatches(file: string | undefined): Promise<PostPatch[]> {
  if (!file) return [];
  const text = await readFile(file, "utf8").catch(() => {
    throw badInput(`input "patches": cannot read ${file}.`);
  });
  let list: unknown;
  try {
    list = parse(text);
  } catch (error) {
    throw badInput(`input "patches": ${file} is not valid YAML (${(error as Error).message}).`);
  }
  if (!Array.isArray(list)) throw badInput(`input "patches": ${file} must hold a YAML list of patches.`);
  return list.map((entry, i) => {
    const e = entry as { target?: unknown; namespace?: unknown; type?: unknown; patch?: unknown };
    const where = `input "patches": ${file} item ${i + 1}`;
    const m = typeof e.target === "string" ? /^([a-z]+)\/([a-z0-9][-a-z0-9.]*)$/.exec(e.target) : null;
    if (!m || !RESOURCES[m[1] as string]) {
      throw badInput(
        `${where}: target must be kind/name with kind one of ${Object.keys(RESOURCES).join(", ")} (got ${JSON.stringify(e.target)}).`,
      );
    }
    if (!["json", "merge", "strategic"].includes(String(e.type)))
      throw badInput(`${where}: type must be json, merge or strategic (got ${JSON.stringify(e.type)}).`);
    if (e.patch === undefined || (e.type === "json" && !Array.isArray(e.patch)))
      throw badInput(`${where}: patch is missing${e.type === "json" ? " or not a JSON Patch list" : ""}.`);
    return {
      target: { kind: m[1] as string, name: m[2] as string },
      namespace: typeof e.namespace === "string" ? e.namespace : undefined,
      type: e.type as PostPatch["type"],
      patch: e.patch,
    };
  });
}

export async function applyPatches(
  client: KubeClient,
  patches: PostPatch[],
  namespace: string,
  log: (line: string) => void,
): Promise<void> {
  for (const p of patches) {
    const r = RESOURCES[p.target.kind] as { group: string; resource: string };
    const base = r.group === "" ? "/api/v1" : `/apis/${r.group}`;
    await client.patch(
      `${base}/namespaces/${p.namespace ?? namespace}/${r.resource}/${p.target.name}`,
      p.patch,
      p.type,
    );
    log(`patched ${p.target.kind}/${p.target.name} (${p.type})`);
  }
}
