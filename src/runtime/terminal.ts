import { SecretSet } from "../secrets";
import type { Runtime } from "./runtime";

export interface TerminalRuntimeOptions {
  env?: NodeJS.ProcessEnv;
  /** Where log lines go; stdout stays free for --json. */
  write?: (line: string) => void;
  verbose?: boolean;
}

/** The CLI's runtime: logs on stderr, outputs and summary kept for the caller to print. */
export class TerminalRuntime implements Runtime {
  readonly kind = "terminal" as const;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets = new SecretSet();
  readonly outputs = new Map<string, string>();
  readonly summary: string[] = [];
  readonly #state = new Map<string, string>();
  readonly #write: (line: string) => void;
  readonly #verbose: boolean;
  #indent = "";

  constructor(options: TerminalRuntimeOptions = {}) {
    this.env = options.env ?? process.env;
    this.#write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
    this.#verbose = options.verbose ?? false;
  }

  #emit(prefix: string, message: string): void {
    for (const line of this.secrets.redact(message).split("\n"))
      this.#write(`${this.#indent}${prefix}${line}`);
  }

  info(message: string): void {
    this.#emit("", message);
  }
  warning(message: string): void {
    this.#emit("warning: ", message);
  }
  error(message: string): void {
    this.#emit("error: ", message);
  }
  debug(message: string): void {
    if (this.#verbose) this.#emit("debug: ", message);
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.#emit("", `▸ ${title}`);
    const outer = this.#indent;
    this.#indent = `${outer}  `;
    try {
      return await fn();
    } finally {
      this.#indent = outer;
    }
  }

  setOutput(name: string, value: string): void {
    this.outputs.set(name, this.secrets.redact(value));
  }
  appendSummary(markdown: string): void {
    this.summary.push(this.secrets.redact(markdown));
  }
  setSecret(value: string): void {
    this.secrets.add(value);
  }
  saveState(name: string, value: string): void {
    this.#state.set(name, value);
  }
  getState(name: string): string {
    return this.#state.get(name) ?? "";
  }
}
