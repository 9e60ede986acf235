import type { Command } from "./commands/command";
import { describeError } from "./errors";
import { killRunningChildren } from "./exec";
import { actionInputName, parseInputs } from "./inputs/parse";
import { ActionsRuntime } from "./runtime/actions";

const IS_POST = "isPost";

/**
 * The whole of an action's main.ts: read the inputs the schema names, run the command, or its
 * post step when the runner calls the same bundle again after the job.
 */
export async function runAction(command: Command): Promise<void> {
  const rt = new ActionsRuntime();
  const isPost = rt.getState(IS_POST) === "true";
  if (!isPost) rt.saveState(IS_POST, "true");
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killRunningChildren();
      process.exit(1);
    });
  }
  try {
    if (isPost) {
      await command.post?.(rt);
      return;
    }
    const raw: Record<string, string> = {};
    for (const name of Object.keys(command.inputs.shape)) raw[name] = rt.getInput(name);
    const inputs = parseInputs(command.inputs, raw, actionInputName);
    const result = await command.run(inputs, rt);
    if (result?.exitCode) process.exitCode = result.exitCode;
  } catch (error) {
    const { message, hint, exitCode } = describeError(error);
    rt.error(hint ? `${message}\nFix: ${hint}` : message, `${command.name} failed`);
    rt.appendSummary(`### ${command.name} failed\n\n${message}\n\n${hint ? `**Fix:** ${hint}\n` : ""}`);
    process.exitCode = exitCode;
  } finally {
    await rt
      .flushSummary()
      .catch((error: unknown) => rt.warning(`Could not write the job summary: ${String(error)}`));
  }
}
