import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..");
export const CLI_BUNDLE = join(ROOT, "dist", "cli", "index.js");
export const actionBundle = (name: string) => join(ROOT, "actions", name, "dist", "index.js");

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a committed bundle under this Node (24 in npm test), as the runner or a terminal would. */
export function runNode(
  script: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string; cwd?: string },
): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: options.env,
      cwd: options.cwd ?? ROOT,
      stdio: "pipe",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

export function runCli(
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string; cwd?: string },
): Promise<ProcessResult> {
  return runNode(CLI_BUNDLE, args, options);
}

/** What the runner keeps from one step: its outputs, saved state and summary file. */
export interface ActionStep extends ProcessResult {
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

/**
 * Runs an action's bundle the way the GitHub runner does: inputs as INPUT_* variables, and the
 * GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files read back afterwards. Pass `state`
 * from the main step to run the post step (STATE_* variables).
 */
export async function runActionStep(
  name: string,
  options: {
    inputs?: Record<string, string>;
    env: NodeJS.ProcessEnv;
    state?: Record<string, string>;
    workDir?: string;
  },
): Promise<ActionStep> {
  const dir = options.workDir ?? (await mkdtemp(join(tmpdir(), "joelclaw-step-")));
  const files = { output: join(dir, "output"), state: join(dir, "state"), summary: join(dir, "summary.md") };
  await Promise.all(Object.values(files).map((f) => writeFile(f, "")));
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    GITHUB_ACTIONS: "true",
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
  };
  for (const [key, value] of Object.entries(options.inputs ?? {}))
    env[`INPUT_${key.replace(/ /g, "_").toUpperCase()}`] = value;
  for (const [key, value] of Object.entries(options.state ?? {})) env[`STATE_${key}`] = value;
  const result = await runNode(actionBundle(name), [], { env });
  return {
    ...result,
    outputs: parseFileCommands(await readFile(files.output, "utf8")),
    state: parseFileCommands(await readFile(files.state, "utf8")),
    summary: await readFile(files.summary, "utf8"),
  };
}

/** The runner's file-command format: `name<<DELIM\nvalue\nDELIM` (and legacy `name=value`). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i] as string);
      out[heredoc[1] as string] = value.join("\n");
    } else if (line.includes("=")) {
      const at = line.indexOf("=");
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}
