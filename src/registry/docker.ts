import { failure, type ToolError } from "../errors";
import { type ExecResult, execFile, tail } from "../exec";
import type { SecretSet } from "../secrets";
import { type Classification, classifyRegistryFailure, type RegistryContext } from "./classify";
import { DEFAULT_RETRY, type RetryPolicy, retryDelayMs, sleep } from "./retry";

/** The docker CLI, run with the private DOCKER_CONFIG and with every line redacted. */
export interface DockerCli {
  env: NodeJS.ProcessEnv;
  secrets: SecretSet;
  log: (line: string) => void;
}

export const BUILD_TIMEOUT_MS = 60 * 60_000;
export const PUSH_TIMEOUT_MS = 20 * 60_000;

export function docker(
  cli: DockerCli,
  args: string[],
  timeoutMs: number,
  quiet = false,
): Promise<ExecResult> {
  return execFile("docker", args, {
    env: cli.env,
    secrets: cli.secrets,
    timeoutMs,
    onLine: quiet ? undefined : (line) => cli.log(line),
  });
}

export async function hasBuildx(cli: DockerCli): Promise<boolean> {
  const result = await docker(cli, ["buildx", "version"], 30_000, true);
  return result.exitCode === 0;
}

/** Fails with a clear message when no docker engine answers, before any build starts. */
export async function requireDockerEngine(cli: DockerCli): Promise<void> {
  const result = await docker(cli, ["version", "--format", "{{.Server.Version}}"], 30_000, true);
  if (result.exitCode === 0) return;
  const said = result.notFound ? "the docker CLI is not installed (not on PATH)" : tail(result.stderr, 3);
  throw failure(
    `The Docker engine is not reachable: ${said}`,
    "Start Docker (on the Mac Mini: `colima start`; a zombie Colima needs `colima restart`) and check DOCKER_HOST or the docker context; on a runner, make sure its PATH includes /opt/homebrew/bin.",
  );
}

export interface RetriedResult {
  result: ExecResult;
  attempts: number;
}

/**
 * Runs a docker command that talks to the registry, again after transient failures (5xx, 429, EOF,
 * TLS timeouts) with bounded backoff; a denial or any other failure ends it at once with its cause.
 */
export async function dockerWithRetry(
  cli: DockerCli,
  args: string[],
  options: {
    timeoutMs: number;
    ctx: RegistryContext;
    what: string;
    policy?: RetryPolicy;
    /** What to say when the output matches no known registry failure. */
    otherwise?: Pick<Classification, "message" | "hint">;
  },
): Promise<RetriedResult> {
  const policy = options.policy ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    const result = await docker(cli, args, options.timeoutMs);
    if (result.exitCode === 0) return { result, attempts: attempt };
    const said = `${result.stdout}\n${result.stderr}`;
    const known = classifyRegistryFailure(said, options.ctx);
    const classification = result.timedOut
      ? timedOut(options.what, options.timeoutMs)
      : known.kind === "unknown" && options.otherwise
        ? { ...known, ...options.otherwise }
        : known;
    const delay = classification.retryable ? retryDelayMs(attempt + 1, policy) : undefined;
    if (delay === undefined) throw dockerFailure(options.what, classification, result, attempt);
    cli.log(
      `${options.what} failed (${classification.kind}); retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${policy.attempts})`,
    );
    await sleep(delay);
  }
}

function timedOut(what: string, timeoutMs: number): Classification {
  return {
    kind: "unknown",
    retryable: false,
    message: `${what} did not finish within ${Math.round(timeoutMs / 60_000)} min and was stopped.`,
    hint: "Check the runner's network and the registry, then run again.",
  };
}

export function dockerFailure(
  what: string,
  c: Classification,
  result: ExecResult,
  attempts: number,
): ToolError {
  const after = attempts > 1 ? ` after ${attempts} attempts` : "";
  return failure(`${what} failed${after}: ${c.message}\n${tail(result.stderr || result.stdout, 8)}`, c.hint);
}
