import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, parseRetryAfter, retryDelayMs } from "../../src/registry/retry";

describe("retryDelayMs", () => {
  const policy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 3000, maxRetryAfterMs: 60_000 };

  it("backs off exponentially, capped, and stops after the last attempt", () => {
    expect([2, 3, 4, 5].map((n) => retryDelayMs(n, policy))).toEqual([1000, 2000, 3000, undefined]);
  });

  it("honours a bounded retry-after, and gives up on a longer one", () => {
    expect(retryDelayMs(2, policy, 5000)).toBe(5000);
    expect(retryDelayMs(2, policy, 120_000)).toBeUndefined();
  });

  it("has a bounded default", () => {
    const total = [2, 3, 4].reduce((sum, n) => sum + (retryDelayMs(n, DEFAULT_RETRY) ?? 0), 0);
    expect(total).toBeLessThanOrEqual(10_000);
    expect(retryDelayMs(DEFAULT_RETRY.attempts + 1, DEFAULT_RETRY)).toBeUndefined();
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2026-11-26T00:00:00Z");
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Thu, 26 Nov 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});
