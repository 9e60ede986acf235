export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry-after longer than this is not waited for: the run fails and says so. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
};

/**
 * How long to wait before try number `nextAttempt` (2, 3, ...), or undefined to give up.
 * Exponential from the base, capped; a server's retry-after wins when it is given and bounded.
 */
export function retryDelayMs(
  nextAttempt: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
): number | undefined {
  if (nextAttempt > policy.attempts) return undefined;
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.maxRetryAfterMs ? retryAfterMs : undefined;
  return Math.min(policy.baseDelayMs * 2 ** (nextAttempt - 2), policy.maxDelayMs);
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
