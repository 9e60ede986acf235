import * as core from "@actions/core";
import { SecretSet } from "../secrets";
import type { Runtime } from "./runtime";

/** The GitHub Actions runtime: workflow commands, GITHUB_OUTPUT, GITHUB_STATE and the step summary. */
export class ActionsRuntime implements Runtime {
  readonly kind = "actions" as const;
  readonly env: NodeJS.ProcessEnv = process.env;
  readonly secrets = new SecretSet();

  info(message: string): void {
    core.info(this.secrets.redact(message));
  }
  warning(message: string): void {
    core.warning(this.secrets.redact(message));
  }
  error(message: string): void {
    core.error(this.secrets.redact(message));
  }
  debug(message: string): void {
    core.debug(this.secrets.redact(message));
  }
  group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    return core.group(this.secrets.redact(title), fn);
  }
  setOutput(name: string, value: string): void {
    core.setOutput(name, this.secrets.redact(value));
  }
  appendSummary(markdown: string): void {
    const file = this.env.GITHUB_STEP_SUMMARY;
    if (!file) return;
    core.summary.addRaw(this.secrets.redact(markdown), true);
  }
  setSecret(value: string): void {
    this.secrets.add(value);
    core.setSecret(value);
  }
  saveState(name: string, value: string): void {
    core.saveState(name, value);
  }
  getState(name: string): string {
    return core.getState(name);
  }

  /** Writes the summary buffered by appendSummary; called once at the end of a step. */
  async flushSummary(): Promise<void> {
    if (!this.env.GITHUB_STEP_SUMMARY) return;
    await core.summary.write();
  }
}
