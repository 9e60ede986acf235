import type { z } from "zod";
import type { Runtime } from "../runtime/runtime";

/** What a command may say besides its outputs: a non-zero verdict (a report with critical findings) and its JSON document. */
export interface RunResult {
  exitCode?: 0 | 1;
  /** Printed as the CLI's --json document instead of the outputs. */
  json?: unknown;
}

/**
 * One operation of the toolset, run the same way by its GitHub Action and by the CLI:
 * inputs validated by one schema, then run(inputs, runtime); post() is the action's post step.
 */
export interface Command<S extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  inputs: S;
  /**
   * Inputs holding secrets. The CLI never takes them as flags (argv is visible to every process):
   * they come from `--<input>-stdin`, `--<input>-command "<cmd>"` or the environment variable `env`.
   */
  secretInputs: ReadonlyArray<{ input: string; env: string }>;
  // biome-ignore lint/suspicious/noConfusingVoidType: commands without a verdict of their own return nothing
  run(inputs: z.output<S>, rt: Runtime): Promise<RunResult | void>;
  post?(rt: Runtime): Promise<void>;
}
