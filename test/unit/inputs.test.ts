import { describe, expect, it } from "vitest";
import { buildPushInputs } from "../../src/commands/build-push";
import { cliFlagName, parseInputs } from "../../src/inputs/parse";
import { toolErrorOf } from "../harness/errors";

const parse = (raw: Record<string, string>) => parseInputs(buildPushInputs, raw);
const errorOf = toolErrorOf;

describe("build-push inputs", () => {
  it("applies the defaults", () => {
    const inputs = parse({ image: "joelhooks/system-bus-worker", password: "ghp_x" });
    expect(inputs.registry).toBe("ghcr.io");
    expect(inputs.context).toBe(".");
    expect(inputs.push).toBe(true);
    expect(inputs.tags).toEqual([]);
    expect(inputs["check-github-token"]).toBe("auto");
  });

  it("treats empty strings (unset action inputs) as missing", () => {
    const error = errorOf(() => parse({ image: "", password: "" }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('input "image": is required');
    expect(error.message).toContain('input "password": is required');
  });

  it("rejects an uppercase image with the lowercase name to use", () => {
    const error = errorOf(() => parse({ image: "JoelHooks/System-Bus", password: "p" }));
    expect(error.message).toContain('input "image": must be lowercase');
    expect(error.message).toContain('"joelhooks/system-bus"');
    expect(error.exitCode).toBe(2);
  });

  it.each([
    ["ghcr.io/joelhooks/worker", "must not include the registry"],
    ["joelhooks/worker:latest", "without a tag"],
    ["worker", 'must be "owner/name"'],
    ["joelhooks/wor--ker-", "invalid path component"],
  ])("rejects image %s", (image, expected) => {
    expect(errorOf(() => parse({ image, password: "p" })).message).toContain(expected);
  });

  it("rejects a registry given as a URL, naming the host to use", () => {
    const error = errorOf(() => parse({ image: "a/b", password: "p", registry: "https://ghcr.io/" }));
    expect(error.message).toContain('input "registry": must be a host name without a scheme, e.g. "ghcr.io"');
  });

  it("splits tags on commas and lines and checks each", () => {
    expect(parse({ image: "a/b", password: "p", tags: "v1, latest\nabc123" }).tags).toEqual([
      "v1",
      "latest",
      "abc123",
    ]);
    expect(errorOf(() => parse({ image: "a/b", password: "p", tags: "ok,-bad" })).message).toContain(
      '"-bad" is not a valid tag',
    );
    expect(errorOf(() => parse({ image: "a/b", password: "p", tags: "ghcr.io/a/b:v1" })).message).toContain(
      "is a reference, not a tag",
    );
  });

  it("takes booleans as GitHub spells them and nothing else", () => {
    expect(parse({ image: "a/b", password: "p", push: "False" }).push).toBe(false);
    expect(errorOf(() => parse({ image: "a/b", password: "p", push: "yes" })).message).toContain(
      'input "push": must be true or false (got "yes")',
    );
  });

  it("requires KEY=VALUE build args, one per line", () => {
    expect(parse({ image: "a/b", password: "p", "build-args": "A=1\nB=x,y" })["build-args"]).toEqual([
      "A=1",
      "B=x,y",
    ]);
    expect(errorOf(() => parse({ image: "a/b", password: "p", "build-args": "A" })).message).toContain(
      "each build arg must be KEY=VALUE",
    );
  });

  it("limits check-github-token to its choices", () => {
    expect(
      errorOf(() => parse({ image: "a/b", password: "p", "check-github-token": "maybe" })).message,
    ).toContain("must be one of auto, true, false");
  });

  it("names CLI flags as flags", () => {
    const error = errorOf(() => parseInputs(buildPushInputs, { password: "p" }, cliFlagName));
    expect(error.message).toContain("--image: is required");
  });
});
