import { describe, expect, it } from "vitest";
import { deployInputs } from "../../src/commands/deploy";
import { verifyInputs } from "../../src/commands/verify";
import { parseInputs } from "../../src/inputs/parse";
import { toolErrorOf } from "../harness/errors";

const base = { workload: "deployment/web" };
const errorOf = (raw: Record<string, string>) =>
  toolErrorOf(() => parseInputs(deployInputs, { ...base, ...raw }));

describe("deploy inputs", () => {
  it("applies the defaults and reads kubectl's short kinds", () => {
    const inputs = parseInputs(deployInputs, { workload: "sts/redis", image: "redis:7.4" });
    expect(inputs.workload).toEqual({ kind: "statefulset", name: "redis" });
    expect(inputs.timeout).toBe(300_000);
    expect(inputs["fail-fast"]).toBe(true);
    expect(inputs.rollback).toBe(true);
    expect(inputs["probe-status"]).toBe(200);
    expect(inputs["unschedulable-grace"]).toBe(15_000);
  });

  it.each([
    [{ "probe-url": "localhost:3111" }, 'input "probe-url": must be an http:// or https:// URL'],
    [{ "probe-status": "2000" }, 'input "probe-status": must be an HTTP status code'],
    [{ "unschedulable-grace": "forever" }, 'input "unschedulable-grace": must be a duration'],
    [{ timeout: "0s" }, 'input "timeout": must be between 1 s and 21600 s'],
    [{ "fail-fast": "sometimes" }, 'input "fail-fast": must be true or false'],
    [{ "helm-set": "image.tag" }, 'input "helm-set": each must be key=value'],
    [{ "helm-release": "Bluesky_PDS" }, 'input "helm-release": must be a Helm release name'],
    [{ "probe-command": "[1, 2]" }, 'input "probe-command": must be a command'],
    [{ "probe-image": "Redis:7" }, 'input "probe-image": must be lowercase'],
    [{ workload: "deployment/Web" }, 'input "workload": must be deployment/NAME'],
  ])("rejects %j, naming the input", (raw, message) => {
    const error = errorOf(raw);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(message);
  });

  it("parses a probe command given as words or as JSON", () => {
    expect(
      parseInputs(deployInputs, { ...base, "probe-command": "redis-cli ping" })["probe-command"],
    ).toEqual(["redis-cli", "ping"]);
    expect(
      parseInputs(deployInputs, { ...base, "probe-command": '["sh","-c","echo ok"]' })["probe-command"],
    ).toEqual(["sh", "-c", "echo ok"]);
  });
});

describe("verify inputs", () => {
  it("defaults to the shipped cluster file", () => {
    expect(parseInputs(verifyInputs, {}).config).toBe("examples/joelclaw.cluster.yaml");
  });
});
