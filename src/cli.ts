import { COMMANDS } from "./commands";
import type { Command, RunResult } from "./commands/command";
import { badInput, describeError, EXIT_OK } from "./errors";
import { execFile } from "./exec";
import { cliFlagName, parseInputs, type RawInputs } from "./inputs/parse";
import { clusterFileJsonSchema } from "./inventory/schema";
import { TerminalRuntime } from "./runtime/terminal";

export interface CliIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  readStdin: () => Promise<string>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

interface ParsedArgs {
  command: Command;
  raw: RawInputs;
  json: boolean;
  verbose: boolean;
  secretSources: Map<string, { kind: "stdin" } | { kind: "command"; command: string }>;
}

const USAGE = `usage: joelclaw-k8s <command> [--<input> <value> ...] [--json] [--verbose]

commands:
${[...COMMANDS.values()].map((c) => `  ${c.name.padEnd(12)} ${c.description}`).join("\n")}

\`joelclaw-k8s schema\` prints the cluster file's JSON Schema.
Flag names are the action's input names. Exit codes: 0 ok, 1 failed, 2 bad input (nothing done).
Run \`joelclaw-k8s <command> --help\` for a command's inputs.`;

function commandUsage(command: Command): string {
  const secrets = new Map(command.secretInputs.map((s) => [s.input, s.env]));
  const lines = Object.keys(command.inputs.shape).map((name) => {
    const env = secrets.get(name);
    return env
      ? `  --${name}-stdin | --${name}-command "<cmd>" | env ${env}   (never as a flag)`
      : `  --${name} <value>`;
  });
  return `usage: joelclaw-k8s ${command.name} [flags] [--json] [--verbose]\n\n${command.description}\n\n${lines.join("\n")}`;
}

/** Parses argv into a command and raw inputs; every mistake is an exit-2 error naming the flag. */
export function parseArgs(argv: string[]): ParsedArgs | { help: string } {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") return { help: USAGE };
  if (name === "schema") return { help: `${JSON.stringify(clusterFileJsonSchema(), null, 2)}` };
  const command = COMMANDS.get(name);
  if (!command) throw badInput(`unknown command "${name}".`, `Commands: ${[...COMMANDS.keys()].join(", ")}.`);
  const known = new Set(Object.keys(command.inputs.shape));
  const secretNames = new Set(command.secretInputs.map((s) => s.input));
  const parsed: ParsedArgs = { command, raw: {}, json: false, verbose: false, secretSources: new Map() };

  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === "--help" || arg === "-h") return { help: commandUsage(command) };
    if (arg === "--json") {
      parsed.json = true;
      continue;
    }
    if (arg === "--verbose") {
      parsed.verbose = true;
      continue;
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!m)
      throw badInput(
        `unexpected argument "${arg}".`,
        `Inputs are given as --<name> <value>; see \`joelclaw-k8s ${command.name} --help\`.`,
      );
    const flag = m[1] as string;
    const takeValue = (): string => {
      if (m[2] !== undefined) return m[2];
      const value = rest[i + 1];
      if (value === undefined || (value.startsWith("--") && value.length > 2)) {
        throw badInput(`--${flag} needs a value.`, `Give it as --${flag} <value> or --${flag}=<value>.`);
      }
      i++;
      return value;
    };
    const secret = /^(.+)-(stdin|command)$/.exec(flag);
    if (secret && secretNames.has(secret[1] as string)) {
      const input = secret[1] as string;
      parsed.secretSources.set(
        input,
        secret[2] === "stdin" ? { kind: "stdin" } : { kind: "command", command: takeValue() },
      );
      continue;
    }
    if (secretNames.has(flag)) {
      const env = command.secretInputs.find((s) => s.input === flag)?.env;
      throw badInput(
        `--${flag} is not accepted on the command line: a value in argv is visible to every process on this machine.`,
        `Pass it on stdin with --${flag}-stdin, from a command with --${flag}-command "secrets lease ghcr_pat", or in the environment variable ${env}.`,
      );
    }
    if (!known.has(flag)) {
      throw badInput(
        `unknown flag --${flag} for ${command.name}.`,
        `Its flags: ${[...known]
          .filter((k) => !secretNames.has(k))
          .map((k) => `--${k}`)
          .join(", ")}.`,
      );
    }
    parsed.raw[flag] = takeValue();
  }
  return parsed;
}

/** Fills secret inputs from --x-stdin, --x-command or the environment, in that order. */
async function resolveSecrets(parsed: ParsedArgs, io: CliIo, rt: TerminalRuntime): Promise<void> {
  for (const { input, env } of parsed.command.secretInputs) {
    const source = parsed.secretSources.get(input);
    let value: string | undefined;
    if (source?.kind === "stdin") {
      value = (await io.readStdin()).replace(/\r?\n$/, "");
      if (!value)
        throw badInput(
          `--${input}-stdin was given but standard input was empty.`,
          `Pipe the secret in, e.g. \`secrets lease ghcr_pat | joelclaw-k8s ${parsed.command.name} --${input}-stdin ...\`.`,
        );
    } else if (source?.kind === "command") {
      const result = await execFile("sh", ["-c", source.command], { env: io.env, timeoutMs: 60_000 });
      value = result.stdout.replace(/\r?\n$/, "");
      rt.setSecret(value);
      if (result.exitCode !== 0 || !value) {
        throw badInput(
          `--${input}-command failed: \`${source.command}\` ${result.exitCode !== 0 ? `exited with ${result.exitCode ?? "a signal"}` : "printed nothing"}${result.stderr ? `: ${rt.secrets.redact(result.stderr.trim()).slice(-300)}` : ""}`,
          "Run the command by hand to check it prints the secret (and only the secret) on stdout.",
        );
      }
    } else {
      value = io.env[env] || undefined;
    }
    if (value) {
      rt.setSecret(value);
      parsed.raw[input] = value;
    }
  }
}

/** Flags by their names; a secret input by the ways the CLI accepts it. */
function cliNaming(command: Command): (name: string) => string {
  return (name) => {
    const secret = command.secretInputs.find((s) => s.input === name);
    return secret ? `the ${name} (--${name}-stdin, --${name}-command or $${secret.env})` : cliFlagName(name);
  };
}

/** Runs the CLI; returns the exit code. */
export async function runCli(io: CliIo): Promise<number> {
  let json = io.argv.includes("--json");
  const rt = new TerminalRuntime({
    env: io.env,
    write: (line) => io.stderr(`${line}\n`),
    verbose: io.argv.includes("--verbose"),
  });
  let command: Command | undefined;
  try {
    const parsed = parseArgs(io.argv);
    if ("help" in parsed) {
      io.stdout(`${parsed.help}\n`);
      return EXIT_OK;
    }
    command = parsed.command;
    json = parsed.json;
    await resolveSecrets(parsed, io, rt);
    const inputs = parseInputs(parsed.command.inputs, parsed.raw, cliNaming(parsed.command));
    let result: RunResult | undefined;
    try {
      result = (await parsed.command.run(inputs, rt)) ?? undefined;
    } finally {
      await parsed.command.post?.(rt);
    }
    const outputs = Object.fromEntries(rt.outputs);
    if (json) io.stdout(`${JSON.stringify(result?.json ?? { ok: true, command: command.name, outputs })}\n`);
    else if (!result?.json)
      for (const [key, value] of rt.outputs) io.stdout(`${key}: ${value.replace(/\n/g, " ")}\n`);
    return result?.exitCode ?? EXIT_OK;
  } catch (error) {
    const { message, hint, exitCode } = describeError(error);
    const safeMessage = rt.secrets.redact(message);
    const safeHint = hint === undefined ? undefined : rt.secrets.redact(hint);
    io.stderr(`error: ${safeMessage}\n${safeHint ? `fix: ${safeHint}\n` : ""}`);
    if (json) {
      io.stdout(
        `${JSON.stringify({ ok: false, command: command?.name, error: { message: safeMessage, hint: safeHint, exitCode } })}\n`,
      );
    }
    return exitCode;
  }
}

export function readAllStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (process.stdin.isTTY) {
      reject(badInput("--password-stdin needs the secret piped in, but standard input is a terminal."));
      return;
    }
    const chunks: Buffer[] = [];
    process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}
