import { describe, expect, it } from "vitest";
import { classifyHttpStatus, classifyRegistryFailure } from "../../src/registry/classify";

const ghcr = {
  registry: "ghcr.io",
  repository: "joelhooks/system-bus-worker",
  username: "joelhooks",
  ghcr: true,
};
const other = { registry: "registry.example:5000", repository: "team/app", username: "ci", ghcr: false };

describe("classifyRegistryFailure", () => {
  it.each([
    ['Error response from daemon: Get "https://ghcr.io/v2/": denied: denied', "credential-rejected", false],
    ["denied: permission_denied: The token provided does not match expected scopes.", "scope-missing", false],
    ["ERROR: denied: permission_denied: write_package", "package-access", false],
    ["denied: installation not allowed to Write organization package", "package-access", false],
    ["invalid reference format: repository name must be lowercase", "name-uppercase", false],
    ["toomanyrequests: retry-after: 1.2s", "rate-limited", true],
    ["received unexpected HTTP status: 503 Service Unavailable", "registry-unavailable", true],
    ["Put https://ghcr.io/v2/x/blobs/uploads/abc: unexpected EOF", "transient-network", true],
    ["net/http: TLS handshake timeout", "transient-network", true],
    ["blob upload unknown: blob upload unknown to registry", "transient-network", true],
    ["dial tcp 127.0.0.1:5000: connect: connection refused", "registry-unreachable", true],
    [
      "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
      "docker-unavailable",
      false,
    ],
    ["something nobody has seen", "unknown", false],
  ])("%s → %s", (text, kind, retryable) => {
    const c = classifyRegistryFailure(text, ghcr);
    expect(c.kind).toBe(kind);
    expect(c.retryable).toBe(retryable);
    expect(c.message.length).toBeGreaterThan(10);
    expect(c.hint.length).toBeGreaterThan(10);
  });

  it("tells the expired-PAT fix for GHCR: both stores named", () => {
    const c = classifyRegistryFailure("denied: denied", ghcr);
    expect(c.message).toContain('rejected the credentials of "joelhooks"');
    expect(c.hint).toContain("GHCR_PAT");
    expect(c.hint).toContain("ghcr_pat");
    expect(c.hint).toContain("classic");
  });

  it("sends a package without write role to Manage Actions access", () => {
    expect(classifyRegistryFailure("permission_denied: write_package", ghcr).hint).toContain(
      "Manage Actions access",
    );
  });

  it("gives the lowercase name to use", () => {
    expect(
      classifyRegistryFailure("repository name must be lowercase", { ...ghcr, repository: "Joel/App" }).hint,
    ).toContain('"joel/app"');
  });

  it("gives GHCR advice only for GHCR", () => {
    const c = classifyRegistryFailure("denied: denied", other);
    expect(c.hint).not.toContain("GHCR_PAT");
    expect(c.hint).toContain("registry.example:5000");
  });

  it("does not read a push size of 429 as a rate limit", () => {
    expect(classifyRegistryFailure("latest: digest: sha256:abc size: 429", ghcr).kind).toBe("unknown");
  });
});

describe("classifyHttpStatus", () => {
  it.each([
    [429, "rate-limited"],
    [500, "registry-unavailable"],
    [503, "registry-unavailable"],
    [401, "credential-rejected"],
    [403, "package-access"],
    [404, "unknown"],
  ])("%i → %s", (status, kind) => {
    expect(classifyHttpStatus(status, ghcr).kind).toBe(kind);
  });
});
