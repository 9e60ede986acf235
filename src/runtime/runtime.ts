import type { SecretSet } from "../secrets";

/**
 * Where a command runs: a GitHub Actions step or a terminal (CLI, launchd, tests).
 * Actions and the library talk only to this, never to @actions/core or the console.
 */
export interface Runtime {
  readonly kind: "actions" | "terminal";
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: SecretSet;
  info(message: string): void;
  warning(message: string): void;
  /** An error annotation; the command still decides its exit code. */
  error(message: string): void;
  debug(message: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  setOutput(name: string, value: string): void;
  /** Markdown appended to the job summary. */
  appendSummary(markdown: string): void;
  /** Masks the value in every later log line, output and summary. */
  setSecret(value: string): void;
  /** Values kept from the main step for the post step (Actions) or the rest of the process (terminal). */
  saveState(name: string, value: string): void;
  getState(name: string): string;
}
