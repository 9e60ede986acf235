import { failure } from "../errors";
import { execFile, tail } from "../exec";
import type { SecretSet } from "../secrets";

/** The helm CLI, pointed at the same kubeconfig and context as the rest of the deploy. */
export interface HelmCli {
  kubeconfig: string;
  context: string;
  namespace: string;
  env: NodeJS.ProcessEnv;
  secrets: SecretSet;
  log: (line: string) => void;
}

export interface HelmRelease {
  chart: string;
  version?: string;
  values: string[];
  set: string[];
}

const HELM_TIMEOUT_MS = 10 * 60_000;

/** The same cluster, context and namespace as the rest of the deploy. */
const targetArgs = (cli: HelmCli) => [
  "--namespace",
  cli.namespace,
  "--kubeconfig",
  cli.kubeconfig,
  "--kube-context",
  cli.context,
];

const notInstalled = () =>
  failure(
    "helm is not installed on this runner (not on PATH).",
    "Install it (brew install helm) and make sure the runner's PATH includes /opt/homebrew/bin.",
  );

async function helm(cli: HelmCli, args: string[], what: string): Promise<string> {
  const full = [...args, ...targetArgs(cli)];
  const result = await execFile("helm", full, {
    env: cli.env,
    secrets: cli.secrets,
    timeoutMs: HELM_TIMEOUT_MS,
    onLine: (l) => cli.log(l),
  });
  if (result.notFound) throw notInstalled();
  if (result.exitCode !== 0)
    throw failure(
      `${what} failed: ${tail(result.stderr || result.stdout, 6)}`,
      "Read helm's message above; check the chart, its version and the values files.",
    );
  return result.stdout;
}

/** The release's current revision number, or undefined when it is not installed. */
export async function helmRevision(cli: HelmCli, release: string): Promise<number | undefined> {
  const full = ["history", release, "--max", "1", "-o", "json", ...targetArgs(cli)];
  const result = await execFile("helm", full, { env: cli.env, secrets: cli.secrets, timeoutMs: 60_000 });
  if (result.notFound) throw notInstalled();
  if (result.exitCode !== 0) {
    if (/release: not found/i.test(result.stderr)) return undefined;
    throw failure(`helm history ${release} failed: ${tail(result.stderr, 4)}`);
  }
  const history = JSON.parse(result.stdout) as Array<{ revision: number }>;
  return history.at(-1)?.revision;
}

/** helm upgrade --install, without helm's own wait: the deploy watches the rollout itself. */
export async function helmUpgrade(cli: HelmCli, release: string, spec: HelmRelease): Promise<void> {
  const args = ["upgrade", "--install", release, spec.chart];
  if (spec.version) args.push("--version", spec.version);
  for (const file of spec.values) args.push("--values", file);
  for (const pair of spec.set) args.push("--set", pair);
  await helm(cli, args, `helm upgrade ${release}`);
}

export async function helmRollback(cli: HelmCli, release: string, revision: number): Promise<void> {
  await helm(cli, ["rollback", release, String(revision)], `helm rollback ${release} ${revision}`);
}
