import { describe, expect, it } from "vitest";
import { judgeGitHubUser, parseGitHubExpiration } from "../../src/registry/github-token";

const ctx = {
  registry: "ghcr.io",
  repository: "joelhooks/system-bus-worker",
  username: "joelhooks",
  ghcr: true,
};
const now = new Date("2026-11-26T00:00:00Z");
const answer = (status: number, headers: Record<string, string> = {}, body = '{"login":"joelhooks"}') => ({
  status,
  body,
  header: (name: string) => headers[name.toLowerCase()] ?? null,
});

describe("judgeGitHubUser", () => {
  it("calls a 401 an expired or revoked PAT, with the renewal steps", () => {
    const v = judgeGitHubUser(answer(401, {}, '{"message":"Bad credentials"}'), { push: true, now, ctx });
    expect(v.error?.message).toContain("expired or was revoked");
    expect(v.error?.hint).toContain("GHCR_PAT");
    expect(v.error?.hint).toContain("ghcr_pat");
  });

  it("refuses a token without write:packages when pushing, naming the scopes it has", () => {
    const v = judgeGitHubUser(answer(200, { "x-oauth-scopes": "repo, read:packages" }), {
      push: true,
      now,
      ctx,
    });
    expect(v.error?.message).toContain("lacks the write:packages scope");
    expect(v.error?.message).toContain("repo, read:packages");
  });

  it("accepts write:packages for a pull-only run", () => {
    const v = judgeGitHubUser(answer(200, { "x-oauth-scopes": "write:packages" }), { push: false, now, ctx });
    expect(v.error).toBeUndefined();
  });

  it("warns when the PAT expires within 14 days, not before", () => {
    const soon = judgeGitHubUser(
      answer(200, {
        "x-oauth-scopes": "write:packages",
        "github-authentication-token-expiration": "2026-12-01 00:00:00 UTC",
      }),
      { push: true, now, ctx },
    );
    expect(soon.error).toBeUndefined();
    expect(soon.warnings).toHaveLength(1);
    expect(soon.warnings[0]).toContain("expires on 2026-12-01, in 5 days");
    const later = judgeGitHubUser(
      answer(200, {
        "x-oauth-scopes": "write:packages",
        "github-authentication-token-expiration": "2027-03-01 00:00:00 UTC",
      }),
      { push: true, now, ctx },
    );
    expect(later.warnings).toEqual([]);
    expect(later.summary).toContain("expires 2027-03-01");
  });

  it("leaves the verdict to the registry probe when GitHub cannot say", () => {
    expect(judgeGitHubUser(answer(503), { push: true, now, ctx }).error).toBeUndefined();
    expect(judgeGitHubUser(answer(0, {}, "ECONNREFUSED"), { push: true, now, ctx }).summary).toContain(
      "unreachable",
    );
    const app = judgeGitHubUser(answer(403, {}, '{"message":"Resource not accessible by integration"}'), {
      push: true,
      now,
      ctx,
    });
    expect(app.error).toBeUndefined();
  });
});

describe("parseGitHubExpiration", () => {
  it("reads GitHub's formats", () => {
    expect(parseGitHubExpiration("2026-12-01 00:00:00 UTC")?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(parseGitHubExpiration("2026-12-01 00:00:00 -0700")?.toISOString()).toBe(
      "2026-12-01T07:00:00.000Z",
    );
    expect(parseGitHubExpiration("garbage")).toBeUndefined();
    expect(parseGitHubExpiration(null)).toBeUndefined();
  });
});
