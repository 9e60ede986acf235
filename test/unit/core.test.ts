import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli";
import { describeError, ToolError } from "../../src/errors";
import { execFile } from "../../src/exec";
import { createPrivateDockerConfig, removePrivateDockerConfig } from "../../src/registry/docker-config";
import { TerminalRuntime } from "../../src/runtime/terminal";
import { SecretSet } from "../../src/secrets";

describe("SecretSet", () => {
  it("masks every occurrence, longest secret first", () => {
    const s = new SecretSet();
    s.add("ghp_abcdef");
    s.add("ghp_abcdef123");
    expect(s.redact("a ghp_abcdef123 b ghp_abcdef c")).toBe("a *** b *** c");
  });
  it("ignores values too short to mask safely", () => {
    const s = new SecretSet();
    s.add("ab");
    expect(s.redact("abc")).toBe("abc");
  });
});

describe("execFile", () => {
  it("redacts output and passes secrets on stdin", async () => {
    const secrets = new SecretSet();
    secrets.add("s3cr3t-value");
    const lines: string[] = [];
    const result = await execFile("sh", ["-c", "read x; echo got $x; echo err $x >&2"], {
      input: "s3cr3t-value\n",
      secrets,
      onLine: (line) => lines.push(line),
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("got ***\n");
    expect(result.stderr).toBe("err ***\n");
    expect(lines).toEqual(["got ***", "err ***"]);
  });
  it("keeps variables holding a secret out of the child's environment", async () => {
    const secrets = new SecretSet();
    secrets.add("ghp_secretvalue");
    const result = await execFile("sh", ["-c", 'echo "[$GHCR_PAT][$INPUT_PASSWORD][$KEEP]"'], {
      env: {
        PATH: process.env.PATH,
        GHCR_PAT: "ghp_secretvalue",
        INPUT_PASSWORD: "ghp_secretvalue",
        KEEP: "yes",
      },
      secrets,
    });
    expect(result.stdout).toBe("[][][yes]\n");
  });

  it("kills the whole process group on timeout", async () => {
    const result = await execFile("sh", ["-c", "sleep 30 & sleep 30"], { timeoutMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeLessThan(10_000);
  });
  it("reports a missing program", async () => {
    const result = await execFile("definitely-not-a-program-xyz", []);
    expect(result.notFound).toBe(true);
    expect(result.stderr).toContain("command not found");
  });
});

describe("errors", () => {
  it("keeps user errors free of stack traces", () => {
    const d = describeError(new ToolError("bad thing", { hint: "do this", exitCode: 2 }));
    expect(d).toEqual({ message: "bad thing", hint: "do this", exitCode: 2 });
  });
  it("calls anything else a bug", () => {
    expect(describeError(new TypeError("x")).message).toContain("internal error");
  });
});

describe("TerminalRuntime", () => {
  it("indents groups and redacts logs, outputs and summary", async () => {
    const lines: string[] = [];
    const rt = new TerminalRuntime({ env: {}, write: (l) => lines.push(l) });
    rt.setSecret("topsecret");
    await rt.group("Phase", async () => rt.info("inside topsecret"));
    rt.setOutput("o", "x topsecret");
    rt.appendSummary("topsecret");
    expect(lines).toEqual(["▸ Phase", "  inside ***"]);
    expect(rt.outputs.get("o")).toBe("x ***");
    expect(rt.summary).toEqual(["***"]);
  });
});

describe("private DOCKER_CONFIG", () => {
  it("is 0700 with auths written directly, no credential store, the user's plugins kept, and removable", async () => {
    const parent = await mkdtemp(join(tmpdir(), "dc-test-"));
    const user = await mkdtemp(join(tmpdir(), "dc-user-"));
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(
        join(user, "config.json"),
        JSON.stringify({
          credsStore: "osxkeychain",
          cliPluginsExtraDirs: ["/opt/homebrew/lib/docker/cli-plugins"],
        }),
      ),
    );
    const dir = await createPrivateDockerConfig({
      registry: "ghcr.io",
      username: "u",
      password: "p4ss",
      parentDir: parent,
      userConfigDir: user,
    });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, "config.json"))).mode & 0o777).toBe(0o600);
    const config = JSON.parse(await readFile(join(dir, "config.json"), "utf8"));
    expect(config.auths["ghcr.io"].auth).toBe(Buffer.from("u:p4ss").toString("base64"));
    expect(config.credsStore).toBe("");
    expect(config.cliPluginsExtraDirs).toEqual([
      join(user, "cli-plugins"),
      "/opt/homebrew/lib/docker/cli-plugins",
    ]);
    await removePrivateDockerConfig(dir);
    await expect(stat(dir)).rejects.toThrow();
  });
  it("refuses to remove a directory it did not make", async () => {
    await expect(removePrivateDockerConfig("/tmp")).rejects.toThrow("refusing");
  });
});

describe("CLI arguments", () => {
  const errorOf = (argv: string[]) => {
    try {
      parseArgs(argv);
    } catch (error) {
      return error as ToolError;
    }
    throw new Error("expected an error");
  };
  it("parses flags in both spellings", () => {
    const parsed = parseArgs([
      "build-push",
      "--image",
      "a/b",
      "--tags=v1,v2",
      "--json",
      "--password-command",
      "secrets lease ghcr_pat",
    ]);
    expect("help" in parsed).toBe(false);
    if ("help" in parsed) return;
    expect(parsed.raw).toEqual({ image: "a/b", tags: "v1,v2" });
    expect(parsed.json).toBe(true);
    expect(parsed.secretSources.get("password")).toEqual({
      kind: "command",
      command: "secrets lease ghcr_pat",
    });
  });
  it("never takes a secret from argv", () => {
    const error = errorOf(["build-push", "--password", "ghp_x"]);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain("--password is not accepted on the command line");
    expect(error.message).not.toContain("ghp_x");
  });
  it("names unknown commands, unknown flags and missing values", () => {
    expect(errorOf(["deploy-all"]).message).toContain('unknown command "deploy-all"');
    expect(errorOf(["build-push", "--imag", "a/b"]).message).toContain("unknown flag --imag");
    expect(errorOf(["build-push", "--image"]).message).toContain("--image needs a value");
  });
});
