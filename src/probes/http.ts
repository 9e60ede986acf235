/** An HTTP health probe: the answer's status and body against expectations; refused, timed out and wrong told apart. */

export interface HttpExpectation {
  url: string;
  status: number;
  /** The body must contain this text. */
  bodyContains?: string;
  /** The body must be JSON with these keys and values (null: the key only). */
  json?: Record<string, unknown>;
  timeoutMs: number;
}

export type ProbeOutcome =
  | { ok: true; detail: string }
  | {
      ok: false;
      kind: "refused" | "timeout" | "unreachable" | "wrong-status" | "wrong-body";
      detail: string;
    };

/** Pure: judges an answer against the expectation. */
export function judgeHttpAnswer(expect: HttpExpectation, status: number, body: string): ProbeOutcome {
  const shown = body.length > 120 ? `${body.slice(0, 120)}…` : body;
  if (status !== expect.status)
    return {
      ok: false,
      kind: "wrong-status",
      detail: `${expect.url} answered ${status}, expected ${expect.status}: ${shown}`,
    };
  if (expect.bodyContains !== undefined && !body.includes(expect.bodyContains)) {
    return {
      ok: false,
      kind: "wrong-body",
      detail: `${expect.url} answered ${status} without "${expect.bodyContains}": ${shown}`,
    };
  }
  return {
    ok: true,
    detail: `${expect.url} answered ${status}${expect.bodyContains ? ` with "${expect.bodyContains}"` : ""}`,
  };
}

export async function probeHttp(expect: HttpExpectation): Promise<ProbeOutcome> {
  try {
    const response = await fetch(expect.url, {
      signal: AbortSignal.timeout(expect.timeoutMs),
      redirect: "manual",
    });
    return judgeHttpAnswer(expect, response.status, await response.text());
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    if (e.name === "TimeoutError")
      return {
        ok: false,
        kind: "timeout",
        detail: `${expect.url} did not answer within ${expect.timeoutMs} ms`,
      };
    if (e.cause?.code === "ECONNREFUSED")
      return { ok: false, kind: "refused", detail: `${expect.url}: connection refused` };
    return { ok: false, kind: "unreachable", detail: `${expect.url}: ${e.cause?.code ?? e.message}` };
  }
}
