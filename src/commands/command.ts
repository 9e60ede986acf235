import type { z } from "zod";
import type { Runtime } from "../runtime/runtime";

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
  run(inputs: z.output<S>, rt: Runtime): Promise<void>;
  post?(rt: Runtime): Promise<void>;
}
