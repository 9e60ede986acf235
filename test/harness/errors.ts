import { ToolError } from "../../src/errors";

/** The ToolError `fn` throws; any other outcome fails the test. */
export function toolErrorOf(fn: () => unknown): ToolError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ToolError) return error;
    throw error;
  }
  throw new Error("expected a ToolError");
}
