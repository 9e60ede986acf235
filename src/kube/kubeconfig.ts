import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { badInput, failure } from "../errors";
import { execFile } from "../exec";

/** Where and how to reach one API server: what a kubeconfig context resolves to. */
export interface KubeTarget {
  server: string;
  context: string;
  namespace?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  insecureSkipTlsVerify: boolean;
}

type RawConfig = {
  "current-context"?: string;
  contexts?: Array<{ name: string; context?: { cluster?: string; user?: string; namespace?: string } }>;
  clusters?: Array<{ name: string; cluster?: Record<string, unknown> }>;
  users?: Array<{ name: string; user?: Record<string, unknown> }>;
};

/** The kubeconfig file: the input, else the first of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(input: string | undefined, env: NodeJS.ProcessEnv): string {
  if (input) return input;
  const fromEnv = env.KUBECONFIG?.split(":").find(Boolean);
  return fromEnv ?? join(env.HOME || homedir(), ".kube", "config");
}

export async function loadKubeTarget(
  path: string,
  contextName: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<KubeTarget> {
  const text = await readFile(path, "utf8").catch(() => {
    throw badInput(
      `input "kubeconfig": cannot read ${path}.`,
      "Give the path of a kubeconfig file (or set KUBECONFIG).",
    );
  });
  let config: RawConfig;
  try {
    config = (parse(text) ?? {}) as RawConfig;
  } catch (error) {
    throw badInput(`input "kubeconfig": ${path} is not valid YAML (${(error as Error).message}).`);
  }
  const name = contextName ?? config["current-context"];
  const contexts = config.contexts ?? [];
  const context = contexts.find((c) => c.name === name);
  if (!name || !context) {
    throw badInput(
      `input "context": ${name ? `no context "${name}" in ${path}` : `${path} has no current-context`}.`,
      `Contexts there: ${contexts.map((c) => c.name).join(", ") || "none"}.`,
    );
  }
  const cluster = config.clusters?.find((c) => c.name === context.context?.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== "string") {
    throw badInput(
      `input "kubeconfig": context "${name}" names cluster "${context.context?.cluster}", which ${path} does not define with a server.`,
    );
  }
  const user = config.users?.find((u) => u.name === context.context?.user)?.user ?? {};
  const base = dirname(path);
  const target: KubeTarget = {
    server: cluster.server.replace(/\/+$/, ""),
    context: name,
    namespace: context.context?.namespace,
    ca: await material(cluster, "certificate-authority", base),
    cert: await material(user, "client-certificate", base),
    key: await material(user, "client-key", base),
    token: typeof user.token === "string" ? user.token : undefined,
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
  };
  if (!target.token && typeof user.tokenFile === "string")
    target.token = (await readFile(resolvePath(user.tokenFile, base), "utf8")).trim();
  if (user.exec && typeof user.exec === "object")
    Object.assign(target, await runExecPlugin(user.exec as ExecConfig, env));
  return target;
}

async function material(
  section: Record<string, unknown>,
  key: string,
  base: string,
): Promise<Buffer | undefined> {
  const data = section[`${key}-data`];
  if (typeof data === "string") return Buffer.from(data, "base64");
  const file = section[key];
  if (typeof file === "string") return readFile(resolvePath(file, base));
  return undefined;
}

const resolvePath = (file: string, base: string) => (isAbsolute(file) ? file : join(base, file));

interface ExecConfig {
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }>;
}

/** client.authentication.k8s.io exec credential plugins (e.g. cloud CLIs): run it, read its ExecCredential. */
async function runExecPlugin(exec: ExecConfig, env: NodeJS.ProcessEnv): Promise<Partial<KubeTarget>> {
  const childEnv = { ...env, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])) };
  const result = await execFile(exec.command, exec.args ?? [], { env: childEnv, timeoutMs: 60_000 });
  if (result.exitCode !== 0) {
    throw failure(
      `The kubeconfig's credential plugin \`${exec.command}\` failed: ${result.stderr.trim().slice(-300)}`,
      "Run it by hand to see why; it may need a login.",
    );
  }
  try {
    const status = (JSON.parse(result.stdout) as { status?: Record<string, string> }).status ?? {};
    return {
      token: status.token,
      cert: status.clientCertificateData ? Buffer.from(status.clientCertificateData) : undefined,
      key: status.clientKeyData ? Buffer.from(status.clientKeyData) : undefined,
    };
  } catch {
    throw failure(`The kubeconfig's credential plugin \`${exec.command}\` did not print an ExecCredential.`);
  }
}
