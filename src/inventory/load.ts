import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import type { z } from "zod";
import { badInput } from "../errors";
import { type ClusterFile, clusterFileSchema } from "./schema";

/** "services[2].probe.http.url" from a zod issue path. */
export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}

/** Validates an already parsed cluster file; every problem names its field path. */
export function parseClusterFile(data: unknown, file: string): ClusterFile {
  const result = clusterFileSchema.safeParse(data ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 10)
    .map((issue: z.core.$ZodIssue) => `${issuePath(issue.path) || "(top level)"}: ${issue.message}`);
  throw badInput(
    `cluster file ${file} is invalid:\n  ${problems.join("\n  ")}`,
    "Fix the named fields; the expected form is in the JSON Schema (schemas/cluster.schema.json) and examples/joelclaw.cluster.yaml.",
  );
}

export async function loadClusterFile(file: string): Promise<ClusterFile> {
  const text = await readFile(file, "utf8").catch(() => {
    throw badInput(
      `cannot read the cluster file ${file}.`,
      "Give it with --config (the repo has examples/joelclaw.cluster.yaml).",
    );
  });
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw badInput(`cluster file ${file} is not valid YAML: ${(error as Error).message}`);
  }
  return parseClusterFile(data, file);
}
