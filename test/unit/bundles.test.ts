import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { COMMANDS } from "../../src/commands";
import { actionBundle, ROOT, runActionStep, runCli, runNode } from "../harness/run";

const actions = readdirSync(join(ROOT, "actions")).filter((name) =>
  existsSync(join(ROOT, "actions", name, "action.yml")),
);

interface ActionYaml {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs?: Record<string, unknown>;
  runs: { using: string; main: string; post?: string };
}

describe.each(actions)("the committed %s action", (name) => {
  const yml = parse(readFileSync(join(ROOT, "actions", name, "action.yml"), "utf8")) as ActionYaml;
  const command = COMMANDS.get(name);

  it("runs its committed bundle on node24", () => {
    expect(yml.runs.using).toBe("node24");
    expect(yml.runs.main).toBe("dist/index.js");
    expect(existsSync(actionBundle(name))).toBe(true);
  });

  it("declares exactly the inputs its schema validates", () => {
    expect(command).toBeDefined();
    expect(Object.keys(yml.inputs).sort()).toEqual(Object.keys(command?.inputs.shape ?? {}).sort());
  });

  it("fails bad input with an ::error:: naming it, exit 2, as a process", async () => {
    const required = Object.entries(yml.inputs)
      .filter(([, spec]) => spec.required)
      .map(([input]) => input);
    // With required inputs: none given. Without: the first input names a file that does not exist.
    const first = Object.keys(yml.inputs)[0] as string;
    const inputs = required.length > 0 ? {} : { [first]: "/nonexistent/joelclaw-test-input" };
    const step = await runActionStep(name, { inputs, env: { PATH: process.env.PATH } });
    expect(step.code).toBe(2);
    const errorLine = step.stdout.split("\n").find((line) => line.startsWith("::error"));
    expect(errorLine).toBeDefined();
    for (const input of required) expect(errorLine).toContain(`input "${input}"`);
    if (required.length === 0) expect(errorLine).toContain("/nonexistent/joelclaw-test-input");
    expect(step.stdout).not.toMatch(/\n\s+at /);
  });
});

describe("the committed CLI bundle", () => {
  it("is what the package's bin (npx joelclaw-k8s) runs", async () => {
    const result = await runNode(join(ROOT, "bin", "joelclaw-k8s.js"), ["build-push", "--help"], {
      env: { PATH: process.env.PATH },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--password-stdin");
  });

  it("prints usage", async () => {
    const result = await runCli(["--help"], { env: { PATH: process.env.PATH } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("build-push");
  });

  it("exits 2 on bad input, naming the flag, with no stack trace", async () => {
    const result = await runCli(["build-push", "--image", "Joel/App"], {
      env: { PATH: process.env.PATH, GHCR_PAT: "ghp_x123" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--image: must be lowercase");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints one JSON document on stdout with --json, even on failure", async () => {
    const result = await runCli(["build-push", "--json"], { env: { PATH: process.env.PATH } });
    expect(result.code).toBe(2);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ ok: false, command: "build-push", error: { exitCode: 2 } });
    expect(doc.error.message).toContain("--image: is required");
  });
});
