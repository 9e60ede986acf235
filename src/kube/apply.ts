import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { badInput } from "../errors";
import { KubeApiError, type KubeClient, type KubeObject } from "./client";

export const FIELD_MANAGER = "joelclaw-k8s";

export interface Manifest {
  file: string;
  object: KubeObject;
}

/**
 * Every object in the given files and directories (*.yaml, *.yml, *.json), in order. Bad YAML is bad
 * input; so is a document that is not a Kubernetes object, unless `skipped` collects it (the audit reads
 * directories that also hold Helm values).
 */
export async function readManifests(paths: string[], skipped?: string[]): Promise<Manifest[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw badInput(`input "manifests": ${path} does not exist.`);
    if (info.isDirectory()) {
      const entries = (await readdir(path))
        .filter((f) => [".yaml", ".yml", ".json"].includes(extname(f)))
        .sort();
      files.push(...entries.map((f) => join(path, f)));
    } else files.push(path);
  }
  const manifests: Manifest[] = [];
  for (const file of files) {
    const docs = parseAllDocuments(await readFile(file, "utf8"));
    for (const doc of docs) {
      if (doc.errors.length > 0)
        throw badInput(`input "manifests": ${file} is not valid YAML: ${doc.errors[0]?.message}`);
      const object = doc.toJS() as KubeObject | null;
      if (!object) continue;
      if (!object.apiVersion || !object.kind || !object.metadata?.name) {
        if (skipped) {
          skipped.push(file);
          continue;
        }
        throw badInput(`input "manifests": an object in ${file} lacks apiVersion, kind or metadata.name.`);
      }
      manifests.push({ file, object });
    }
  }
  return manifests;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Maps kinds to REST paths through the API server's discovery, one request per group/version used. */
export class RestMapper {
  readonly #client: KubeClient;
  readonly #cache = new Map<string, Promise<ApiResource[]>>();

  constructor(client: KubeClient) {
    this.#client = client;
  }

  async #resources(apiVersion: string): Promise<ApiResource[]> {
    let found = this.#cache.get(apiVersion);
    if (!found) {
      const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = this.#client
        .get<{ resources: ApiResource[] }>(path)
        .then((list) => list.resources.filter((r) => !r.name.includes("/")))
        .catch((error) => {
          if (error instanceof KubeApiError && error.status === 404) return [];
          throw error;
        });
      this.#cache.set(apiVersion, found);
    }
    return found;
  }

  /** The object's REST path (without a name for collections), or a bad-input error naming the file. */
  async pathOf(m: Manifest, defaultNamespace: string): Promise<string> {
    const { apiVersion, kind, metadata } = m.object;
    const resource = (await this.#resources(apiVersion as string)).find((r) => r.kind === kind);
    if (!resource)
      throw badInput(
        `input "manifests": the API server has no ${kind} in ${apiVersion} (${m.file}, ${metadata.name}).`,
      );
    const base = (apiVersion as string).includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = resource.namespaced ? `/namespaces/${metadata.namespace ?? defaultNamespace}` : "";
    return `${base}${ns}/${resource.name}/${metadata.name}`;
  }
}

/** Server-side apply of each object, owned by the toolset's field manager. */
export async function applyManifests(
  client: KubeClient,
  manifests: Manifest[],
  paths: string[],
): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  for (const [i, m] of manifests.entries()) {
    applied.push(
      await client.patch(`${paths[i]}?fieldManager=${FIELD_MANAGER}&force=true`, m.object, "apply"),
    );
  }
  return applied;
}
