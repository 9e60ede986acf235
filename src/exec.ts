import { spawn } from "node:child_process";
import type { SecretSet } from "./secrets";

export interface ExecOptions {
  /** Written to the child's stdin, then closed. Secrets travel this way, never in argv. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The whole process group is killed when this elapses. */
  timeoutMs?: number;
  secrets?: SecretSet;
  /** Each complete output line, already redacted, as it arrives. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

export interface ExecResult {
  command: string;
  /** null when the process was killed by a signal or never started. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The executable does not exist on PATH. */
  notFound: boolean;
  durationMs: number;
}

const KILL_GRACE_MS = 2_000;

/** Children run in their own process group (so a timeout kills grandchildren too); these are the live ones. */
const liveGroups = new Set<number>();

/** Ends every running child; the entry points call this when the step is cancelled. */
export function killRunningChildren(signal: NodeJS.Signals = "SIGTERM"): void {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Runs a program without a shell. Output is redacted before anyone sees it. Never rejects. */
export function execFile(
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const started = Date.now();
  const redact = (text: string) => options.secrets?.redact(text) ?? text;
  const command = redact([file, ...args].join(" "));
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: withoutSecrets(options.env ?? process.env, options.secrets),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const pid = child.pid;
    if (pid) liveGroups.add(pid);
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const partial = { stdout: "", stderr: "" };
    let timedOut = false;
    let settled = false;

    const emitLines = (stream: "stdout" | "stderr", text: string, flush: boolean) => {
      if (!options.onLine) return;
      const lines = (partial[stream] + text).split(/\r?\n|\r/);
      partial[stream] = flush ? "" : (lines.pop() ?? "");
      for (const line of lines) if (line.length > 0) options.onLine(redact(line), stream);
    };
    for (const stream of ["stdout", "stderr"] as const) {
      child[stream].on("data", (chunk: Buffer) => {
        chunks[stream].push(chunk);
        emitLines(stream, chunk.toString("utf8"), false);
      });
    }

    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup("SIGTERM");
            setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS).unref();
          }, options.timeoutMs);

    const finish = (exitCode: number | null, notFound: boolean, extraStderr = "") => {
      if (settled) return;
      settled = true;
      if (pid) liveGroups.delete(pid);
      if (timer) clearTimeout(timer);
      emitLines("stdout", "", true);
      emitLines("stderr", "", true);
      resolve({
        command,
        exitCode,
        stdout: redact(Buffer.concat(chunks.stdout).toString("utf8")),
        stderr: redact(Buffer.concat(chunks.stderr).toString("utf8") + extraStderr),
        timedOut,
        notFound,
        durationMs: Date.now() - started,
      });
    };

    child.on("error", (error: NodeJS.ErrnoException) => {
      finish(
        null,
        error.code === "ENOENT",
        error.code === "ENOENT" ? `${file}: command not found` : error.message,
      );
    });
    child.on("close", (code) => finish(code, false));

    child.stdin.on("error", () => {
      // The child may exit before reading its input; its exit code tells the story.
    });
    child.stdin.end(options.input ?? "");
  });
}

/** The environment minus every variable holding a secret (INPUT_PASSWORD, GHCR_PAT, ...): children never need them. */
export function withoutSecrets(env: NodeJS.ProcessEnv, secrets: SecretSet | undefined): NodeJS.ProcessEnv {
  const values = secrets?.values() ?? [];
  if (values.length === 0) return env;
  return Object.fromEntries(
    Object.entries(env).filter(([, value]) => !values.some((secret) => value?.includes(secret))),
  );
}

/** The last lines of a command's error output, for error messages. */
export function tail(text: string, lines = 15): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
