// The runner protocol from @actions/core's own modules. Its index also loads the OIDC client, HTTP
// client and exec (about 100 ms of start-up per step) that no action here needs.
import { issue, issueCommand } from "@actions/core/lib/command";
import { issueFileCommand, prepareKeyValueMessage } from "@actions/core/lib/file-command";
import { summary } from "@actions/core/lib/summary";
import { SecretSet } from "../secrets";
import type { Runtime } from "./runtime";

/** The GitHub Actions runtime: workflow commands, GITHUB_OUTPUT, GITHUB_STATE and the step summary. */
export class ActionsRuntime implements Runtime {
  readonly kind = "actions" as const;
  readonly env: NodeJS.ProcessEnv = process.env;
  readonly secrets = new SecretSet();

  getInput(name: string): string {
    return (this.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
  }

  info(message: string): void {
    process.stdout.write(`${this.secrets.redact(message)}\n`);
  }
  warning(message: string): void {
    issueCommand("warning", {}, this.secrets.redact(message));
  }
  error(message: string, title?: string): void {
    issueCommand("error", title ? { title } : {}, this.secrets.redact(message));
  }
  debug(message: string): void {
    issueCommand("debug", {}, this.secrets.redact(message));
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    issue("group", this.secrets.redact(title));
    try {
      return await fn();
    } finally {
      issue("endgroup");
    }
  }
  setOutput(name: string, value: string): void {
    this.#fileCommand("OUTPUT", "GITHUB_OUTPUT", "set-output", name, this.secrets.redact(value));
  }
  appendSummary(markdown: string): void {
    if (this.env.GITHUB_STEP_SUMMARY) summary.addRaw(this.secrets.redact(markdown), true);
  }
  setSecret(value: string): void {
    this.secrets.add(value);
    issueCommand("add-mask", {}, value);
  }
  saveState(name: string, value: string): void {
    this.#fileCommand("STATE", "GITHUB_STATE", "save-state", name, value);
  }
  getState(name: string): string {
    return this.env[`STATE_${name}`] ?? "";
  }

  /** Writes the summary buffered by appendSummary; called once at the end of a step. */
  async flushSummary(): Promise<void> {
    if (this.env.GITHUB_STEP_SUMMARY) await summary.write();
  }

  #fileCommand(command: string, fileVar: string, legacy: string, name: string, value: string): void {
    if (this.env[fileVar]) issueFileCommand(command, prepareKeyValueMessage(name, value));
    else issueCommand(legacy, { name }, value);
  }
}
