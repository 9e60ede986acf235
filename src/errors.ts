/** Exit codes of every command and action: 0 ok, 1 the operation or a critical check failed, 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export type ExitCode = typeof EXIT_FAILED | typeof EXIT_BAD_INPUT;

/**
 * A failure the user can act on: what failed (message), what to do (hint) and the exit code.
 * Anything thrown that is not a ToolError is a bug in this toolset and is reported as one.
 */
export class ToolError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(message: string, options: { hint?: string; exitCode?: ExitCode } = {}) {
    super(message);
    this.name = "ToolError";
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT_FAILED;
  }
}

export function badInput(message: string, hint?: string): ToolError {
  return new ToolError(message, { hint, exitCode: EXIT_BAD_INPUT });
}

export function failure(message: string, hint?: string): ToolError {
  return new ToolError(message, { hint, exitCode: EXIT_FAILED });
}

/** The one-paragraph text shown for an error: the message, then the hint on its own line. */
export function describeError(error: unknown): { message: string; hint?: string; exitCode: ExitCode } {
  if (error instanceof ToolError) {
    return { message: error.message, hint: error.hint, exitCode: error.exitCode };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    message: `internal error in joelclaw-k8s: ${detail}`,
    hint: "This is a bug in the toolset, not in your input: please report it with this message.",
    exitCode: EXIT_FAILED,
  };
}
