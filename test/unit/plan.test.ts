import { describe, expect, it } from "vitest";
import { ToolError } from "../../src/errors";
import {
  buildCommand,
  builderProblem,
  digestFromMetadata,
  digestFromPushOutput,
  planBuildPush,
} from "../../src/registry/plan";
import { parseChallenge } from "../../src/registry/push-probe";
import { registryBaseUrl } from "../../src/registry/reference";
import { tokenKind } from "../../src/registry/token";
import { remoteToHttps } from "../../src/runtime/github-context";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const inputs = {
  registry: "ghcr.io",
  image: "joelhooks/system-bus-worker",
  context: ".",
  tags: [],
  buildArgs: [],
  labels: [],
  platforms: [],
  push: true,
};
const facts = {
  revision: SHA,
  actor: "joelhooks",
  sourceUrl: "https://github.com/joelhooks/joelclaw",
  now: new Date("2026-11-26T00:00:00Z"),
};

describe("planBuildPush", () => {
  it("tags the full commit sha and latest by default, as the deploy workflow does", () => {
    const plan = planBuildPush(inputs, facts);
    expect(plan.tagRefs).toEqual([
      `ghcr.io/joelhooks/system-bus-worker:${SHA}`,
      "ghcr.io/joelhooks/system-bus-worker:latest",
    ]);
    expect(plan.username).toBe("joelhooks");
  });

  it("adds the OCI source, revision and created labels unless given", () => {
    const plan = planBuildPush(
      { ...inputs, labels: ["org.opencontainers.image.source=https://example.com/x", "team=infra"] },
      facts,
    );
    expect(plan.labels).toEqual([
      `org.opencontainers.image.revision=${SHA}`,
      "org.opencontainers.image.created=2026-11-26T00:00:00.000Z",
      "org.opencontainers.image.source=https://example.com/x",
      "team=infra",
    ]);
  });

  it("needs tags when there is no commit", () => {
    expect(() => planBuildPush(inputs, { ...facts, revision: undefined })).toThrow(ToolError);
  });

  it("falls back to the image owner for the username outside Actions", () => {
    expect(planBuildPush(inputs, { ...facts, actor: undefined }).username).toBe("joelhooks");
  });
});

describe("buildCommand", () => {
  const plan = planBuildPush({ ...inputs, tags: ["v1"], buildArgs: ["A=1"], file: "Dockerfile.x" }, facts);
  it("builds with the classic builder and pushes separately", () => {
    const args = buildCommand(plan, "docker", "/tmp/m.json");
    expect(args[0]).toBe("build");
    expect(args).toContain("--tag");
    expect(args).not.toContain("--push");
    expect(args.at(-1)).toBe(".");
    expect(args.slice(args.indexOf("--file"), args.indexOf("--file") + 2)).toEqual([
      "--file",
      "Dockerfile.x",
    ]);
  });
  it("pushes from buildx and records the digest in a metadata file", () => {
    const args = buildCommand(plan, "buildx", "/tmp/m.json");
    expect(args.slice(0, 2)).toEqual(["buildx", "build"]);
    expect(args).toContain("--push");
    expect(args.slice(args.indexOf("--metadata-file"), args.indexOf("--metadata-file") + 2)).toEqual([
      "--metadata-file",
      "/tmp/m.json",
    ]);
  });
  it("needs buildx for several platforms", () => {
    const multi = planBuildPush({ ...inputs, platforms: ["linux/amd64", "linux/arm64"] }, facts);
    expect(builderProblem(multi, "docker")).toContain("needs docker buildx");
    expect(builderProblem(multi, "buildx")).toBeUndefined();
  });
});

describe("digests", () => {
  const digest = `sha256:${"a".repeat(64)}`;
  it("reads docker push output", () => {
    expect(digestFromPushOutput(`abc: Pushed\nlatest: digest: ${digest} size: 528\n`)).toBe(digest);
    expect(digestFromPushOutput("nothing")).toBeUndefined();
  });
  it("reads buildx metadata", () => {
    expect(digestFromMetadata(JSON.stringify({ "containerimage.digest": digest }))).toBe(digest);
    expect(digestFromMetadata("{")).toBeUndefined();
  });
});

describe("small parsers", () => {
  it("parses a bearer challenge", () => {
    expect(
      parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"'),
    ).toEqual({
      scheme: "bearer",
      params: { realm: "https://ghcr.io/token", service: "ghcr.io", scope: "repository:a/b:pull" },
    });
  });
  it("uses plain HTTP only for loopback registries", () => {
    expect(registryBaseUrl("ghcr.io")).toBe("https://ghcr.io");
    expect(registryBaseUrl("127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
    expect(registryBaseUrl("localhost:5000")).toBe("http://localhost:5000");
  });
  it("knows GitHub token kinds by prefix", () => {
    expect(tokenKind("ghp_abc")).toBe("classic-pat");
    expect(tokenKind("github_pat_abc")).toBe("fine-grained-pat");
    expect(tokenKind("ghs_abc")).toBe("actions-token");
    expect(tokenKind("hunter2")).toBe("other");
  });
  it("turns git remotes into repository pages", () => {
    expect(remoteToHttps("git@github.com:joelhooks/joelclaw.git")).toBe(
      "https://github.com/joelhooks/joelclaw",
    );
    expect(remoteToHttps("https://github.com/joelhooks/joelclaw.git\n")).toBe(
      "https://github.com/joelhooks/joelclaw",
    );
    expect(remoteToHttps("https://user:tok@github.com/joelhooks/joelclaw")).toBe(
      "https://github.com/joelhooks/joelclaw",
    );
    expect(remoteToHttps("/some/path")).toBeUndefined();
  });
});
