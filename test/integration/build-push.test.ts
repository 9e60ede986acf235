import { spawn } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandExists, dockerEngine, skipWithout } from "../harness/docker";
import { type FakeGitHub, startFakeGitHub } from "../harness/fake-github";
import { type GhcrFront, startGhcrFront } from "../harness/ghcr-front";
import { type RegistryBackend, startRegistryBackend } from "../harness/registry";
import { actionBundle, type ProcessResult, parseFileCommands, runActionStep, runCli } from "../harness/run";
import { makeWorkspace, registryDigest, type Workspace } from "../harness/workspace";

const engine = dockerEngine();
const skip = skipWithout(
  "a Docker engine and docker-registry",
  !engine.ok
    ? engine.why
    : commandExists("docker-registry")
      ? undefined
      : "docker-registry is not installed (apt-get install docker-registry)",
);

const PAT = {
  good: "ghp_GoodTokenForTests0000000000000000001",
  readOnly: "ghp_ReadOnlyToken00000000000000000000002",
  unlinked: "ghp_UnlinkedPackage000000000000000000003",
  expiring: "ghp_ExpiresSoon0000000000000000000000004",
  revoked: "ghp_RevokedOrExpired00000000000000000005",
  fineGrained: "github_pat_11ABCDEFG0FineGrainedTokenForTests_xyz",
};
const ALL_SECRETS = Object.values(PAT);
const DAY = 86_400_000;

describe.skipIf(skip)("build-push against a real Docker engine and registry", () => {
  let backend: RegistryBackend;
  let front: GhcrFront;
  let github: FakeGitHub;
  const transcripts: string[] = [];

  beforeAll(async () => {
    backend = await startRegistryBackend();
    front = await startGhcrFront(backend.url, [
      {
        username: "joelhooks",
        password: PAT.good,
        scopes: ["write:packages", "read:packages"],
        packageWrite: true,
      },
      { username: "joelhooks", password: PAT.readOnly, scopes: ["read:packages"], packageWrite: true },
      { username: "joelhooks", password: PAT.unlinked, scopes: ["write:packages"], packageWrite: false },
      { username: "joelhooks", password: PAT.expiring, scopes: ["write:packages"], packageWrite: true },
    ]);
    github = await startFakeGitHub([
      {
        token: PAT.good,
        login: "joelhooks",
        scopes: ["repo", "write:packages"],
        expiresAt: new Date(Date.now() + 90 * DAY),
      },
      { token: PAT.readOnly, login: "joelhooks", scopes: ["repo", "read:packages"] },
      { token: PAT.unlinked, login: "joelhooks", scopes: ["write:packages"] },
      {
        token: PAT.expiring,
        login: "joelhooks",
        scopes: ["write:packages"],
        expiresAt: new Date(Date.now() + 5 * DAY + 3_600_000),
      },
    ]);
  });

  afterAll(async () => {
    await front?.stop();
    await github?.stop();
    await backend?.stop();
  });

  /** Runs the CLI bundle (what `npx joelclaw-k8s` runs) and keeps its whole transcript for the secret audit. */
  async function cli(
    ws: Workspace,
    args: string[],
    extraEnv: NodeJS.ProcessEnv = {},
    input?: string,
  ): Promise<ProcessResult> {
    const result = await runCli(
      ["build-push", "--registry", front.registry, "--context", ws.context, ...args],
      {
        env: { ...ws.env, GITHUB_API_URL: github.apiUrl, ...extraEnv },
        input,
      },
    );
    transcripts.push(result.stdout, result.stderr, await readFile(ws.argvLog, "utf8"));
    return result;
  }

  /** The argv of every docker command the tool ran. */
  const dockerCommands = async (ws: Workspace) =>
    (await readFile(ws.argvLog, "utf8"))
      .split("\n")
      .filter((line) => line.startsWith("argv: "))
      .map((line) => line.slice("argv: ".length));

  const pushesFrom = (since: number) =>
    front.log.slice(since).filter((line) => /^(POST|PUT|PATCH) /.test(line));

  it("pushes both tags and outputs the digest the registry reports (CLI, --json)", async () => {
    const ws = await makeWorkspace("happy");
    const result = await cli(
      ws,
      [
        "--image",
        "joelhooks/system-bus-worker",
        "--tags",
        "abc123,latest",
        "--check-github-token",
        "true",
        "--json",
      ],
      {
        GHCR_PAT: PAT.good,
      },
    );
    expect(result.stderr).toContain("push access to joelhooks/system-bus-worker proven");
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.ok).toBe(true);
    const digest = doc.outputs.digest as string;
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await registryDigest(backend.url, "joelhooks/system-bus-worker", "abc123")).toBe(digest);
    expect(await registryDigest(backend.url, "joelhooks/system-bus-worker", "latest")).toBe(digest);
    expect(doc.outputs["image-ref"]).toBe(`${front.registry}/joelhooks/system-bus-worker@${digest}`);
    expect(doc.outputs.tags.split("\n")).toEqual([
      `${front.registry}/joelhooks/system-bus-worker:abc123`,
      `${front.registry}/joelhooks/system-bus-worker:latest`,
    ]);
    expect(
      await ws.filesContaining([PAT.good, Buffer.from(`joelhooks:${PAT.good}`).toString("base64")]),
    ).toEqual([]);
  });

  it("runs as an action: sha + latest tags, OCI labels, outputs, summary, and a post step that cleans up", async () => {
    const ws = await makeWorkspace("action");
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const env = {
      ...ws.env,
      GITHUB_SHA: sha,
      GITHUB_ACTOR: "joelhooks",
      GITHUB_REPOSITORY: "joelhooks/joelclaw",
      GITHUB_API_URL: github.apiUrl,
    };
    const main = await runActionStep("build-push", {
      inputs: {
        registry: front.registry,
        image: "joelhooks/worker-action",
        context: ws.context,
        password: PAT.good,
        "check-github-token": "true",
      },
      env,
    });
    transcripts.push(
      main.stdout,
      main.stderr,
      main.summary,
      JSON.stringify(main.outputs),
      JSON.stringify(main.state),
    );
    expect(main.stderr + main.stdout).not.toContain("::error");
    expect(main.code).toBe(0);
    expect(main.outputs.digest).toMatch(/^sha256:/);
    expect(await registryDigest(backend.url, "joelhooks/worker-action", sha)).toBe(main.outputs.digest);
    expect(await registryDigest(backend.url, "joelhooks/worker-action", "latest")).toBe(main.outputs.digest);
    expect(main.outputs["image-ref"]).toBe(
      `${front.registry}/joelhooks/worker-action@${main.outputs.digest}`,
    );
    expect(main.summary).toContain(main.outputs.digest);
    expect(main.summary).toContain("Credential check");
    const configDir = main.state["docker-config"] as string;
    expect(configDir).toContain(ws.temp);
    await expect(stat(configDir)).rejects.toThrow();

    const labels = JSON.parse(
      await new Promise<string>((resolve) => {
        const p = spawn("docker", [
          "image",
          "inspect",
          "--format",
          "{{json .Config.Labels}}",
          `${front.registry}/joelhooks/worker-action:${sha}`,
        ]);
        let out = "";
        p.stdout.on("data", (c: Buffer) => {
          out += c.toString();
        });
        p.on("close", () => resolve(out));
      }),
    );
    expect(labels["org.opencontainers.image.source"]).toBe("https://github.com/joelhooks/joelclaw");
    expect(labels["org.opencontainers.image.revision"]).toBe(sha);
    expect(labels["org.opencontainers.image.created"]).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const post = await runActionStep("build-push", { env, state: main.state });
    expect(post.code).toBe(0);
  });

  it("removes the private DOCKER_CONFIG in the post step when the main step was killed mid-build", async () => {
    const ws = await makeWorkspace("cancel");
    const workDir = ws.root;
    const env = {
      ...ws.env,
      GITHUB_SHA: "feedface",
      GITHUB_API_URL: github.apiUrl,
      JOELCLAW_TEST_HANG_ON_BUILD: "1",
    };
    const stateFile = `${workDir}/state`;
    const running = runActionStep("build-push", {
      inputs: {
        registry: front.registry,
        image: "joelhooks/cancelled",
        context: ws.context,
        password: PAT.good,
      },
      env,
      workDir,
    });
    let configDir = "";
    for (let i = 0; i < 200 && !configDir; i++) {
      await new Promise((r) => setTimeout(r, 100));
      configDir = parseFileCommands(await readFile(stateFile, "utf8").catch(() => ""))["docker-config"] ?? "";
      if (configDir && !(await dockerCommands(ws)).some((argv) => argv.startsWith("build "))) configDir = "";
    }
    expect(configDir).not.toBe("");
    expect((await stat(configDir)).isDirectory()).toBe(true);
    // The runner cancels the job: the step's processes are killed outright.
    spawn("pkill", ["-KILL", "-f", actionBundle("build-push")]);
    spawn("pkill", ["-KILL", "-f", "sleep 300"]);
    await running;
    expect((await stat(configDir)).isDirectory()).toBe(true);

    const post = await runActionStep("build-push", {
      env,
      state: parseFileCommands(await readFile(stateFile, "utf8")),
    });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain("Removed the private DOCKER_CONFIG");
    await expect(stat(configDir)).rejects.toThrow();
  });

  it("fails in seconds on a revoked PAT (GitHub API 401), before any build", async () => {
    const ws = await makeWorkspace("revoked");
    const before = front.log.length;
    const result = await cli(
      ws,
      ["--image", "joelhooks/app", "--tags", "t1", "--check-github-token", "true"],
      { GHCR_PAT: PAT.revoked },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the PAT has expired or was revoked");
    expect(result.stderr).toContain("GHCR_PAT");
    expect(result.stderr).toContain("ghcr_pat");
    expect(await dockerCommands(ws)).not.toContainEqual(expect.stringMatching(/^build /));
    expect(pushesFrom(before)).toEqual([]);
  });

  it("names GHCR's 'denied: denied' as a rejected credential when only the registry is asked", async () => {
    const ws = await makeWorkspace("denied");
    const result = await cli(
      ws,
      ["--image", "joelhooks/app", "--tags", "t1", "--check-github-token", "false", "--password-stdin"],
      {},
      `${PAT.revoked}\n`,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`rejected the credentials of "joelhooks"`);
    expect(result.stderr).toContain("registry said: the token request: HTTP 403 denied: denied");
    expect(await dockerCommands(ws)).not.toContainEqual(expect.stringMatching(/^build /));
  });

  it("refuses a read-only PAT: from its scopes at GitHub, and from GHCR's 403 at the registry", async () => {
    const ws = await makeWorkspace("readonly");
    const viaGitHub = await cli(
      ws,
      ["--image", "joelhooks/app", "--tags", "t1", "--check-github-token", "true"],
      { GHCR_PAT: PAT.readOnly },
    );
    expect(viaGitHub.code).toBe(1);
    expect(viaGitHub.stderr).toContain("lacks the write:packages scope");
    expect(viaGitHub.stderr).toContain("repo, read:packages");

    const viaRegistry = await cli(
      ws,
      ["--image", "joelhooks/app", "--tags", "t1", "--check-github-token", "false"],
      { GHCR_PAT: PAT.readOnly },
    );
    expect(viaRegistry.code).toBe(1);
    expect(viaRegistry.stderr).toContain("The token provided does not match expected scopes");
    expect(viaRegistry.stderr).toContain("lacks the write:packages scope");
    expect(await dockerCommands(ws)).not.toContainEqual(expect.stringMatching(/^build /));
  });

  it("sends a package the token may not write to Manage Actions access", async () => {
    const ws = await makeWorkspace("unlinked");
    const result = await cli(
      ws,
      ["--image", "joelhooks/app", "--tags", "t1", "--check-github-token", "true"],
      { GHCR_PAT: PAT.unlinked },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("permission_denied: write_package");
    expect(result.stderr).toContain("Manage Actions access");
  });

  it("refuses a fine-grained token for GHCR at once, with exit 2 and no request made", async () => {
    const ws = await makeWorkspace("finegrained");
    const before = { github: github.requests.length, front: front.log.length };
    const result = await runCli(
      [
        "build-push",
        "--registry",
        front.registry,
        "--check-github-token",
        "true",
        "--image",
        "joelhooks/app",
        "--tags",
        "t1",
        "--context",
        ws.context,
      ],
      {
        env: { ...ws.env, GITHUB_API_URL: github.apiUrl, GHCR_PAT: PAT.fineGrained },
      },
    );
    transcripts.push(result.stdout, result.stderr);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("fine-grained personal access token");
    expect(result.stderr).toContain("classic");
    expect(github.requests.length).toBe(before.github);
    expect(front.log.length).toBe(before.front);
  });

  it("warns about a PAT that expires within 14 days and still pushes", async () => {
    const ws = await makeWorkspace("expiring");
    const result = await cli(
      ws,
      ["--image", "joelhooks/app", "--tags", "t1", "--check-github-token", "true"],
      { GHCR_PAT: PAT.expiring },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: The PAT of "joelhooks" expires on \d{4}-\d{2}-\d{2}, in 5 days/);
  });

  it("retries a registry that answers 503 twice, then succeeds", async () => {
    const ws = await makeWorkspace("flaky");
    front.injectFault({ method: "PUT", path: /\/manifests\//, status: 503, count: 2 });
    const result = await cli(ws, ["--image", "joelhooks/flaky", "--tags", "t1", "--json"], {
      GHCR_PAT: PAT.good,
    });
    expect(result.stderr).toContain("retrying in 1 s (attempt 2 of 4)");
    expect(result.stderr).toContain("retrying in 2 s (attempt 3 of 4)");
    expect(result.code).toBe(0);
    const digest = JSON.parse(result.stdout).outputs.digest;
    expect(await registryDigest(backend.url, "joelhooks/flaky", "t1")).toBe(digest);
  });

  it("honours 429 retry-after during the credential check", async () => {
    const ws = await makeWorkspace("ratelimit");
    front.injectFault({
      method: "GET",
      path: /^\/v2\/$/,
      status: 429,
      count: 1,
      headers: { "retry-after": "1" },
      body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"rate limited"}]}',
    });
    const result = await cli(ws, ["--image", "joelhooks/ratelimited", "--tags", "t1"], {
      GHCR_PAT: PAT.good,
    });
    expect(result.stderr).toContain("answered 429 to GET");
    expect(result.stderr).toContain("retrying in 1 s");
    expect(result.code).toBe(0);
  });

  it("gives up on a registry that stays down, saying so, and never builds", async () => {
    const ws = await makeWorkspace("down");
    front.injectFault({ method: "GET", path: /^\/v2\/$/, status: 503, count: 4 });
    const result = await cli(ws, ["--image", "joelhooks/app", "--tags", "t1"], { GHCR_PAT: PAT.good });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("answered with a server error (5xx)");
    expect(await dockerCommands(ws)).not.toContainEqual(expect.stringMatching(/^build /));
  });

  it("takes the PAT from --password-command without it reaching argv or output", async () => {
    const ws = await makeWorkspace("command");
    const result = await cli(
      ws,
      ["--image", "joelhooks/fromcmd", "--tags", "t1", "--password-command", `printf %s ${"$"}TEST_LEASE`],
      {
        TEST_LEASE: PAT.good,
      },
    );
    expect(result.code).toBe(0);
  });

  it("explains an engine that is not running", async () => {
    const ws = await makeWorkspace("noengine");
    const result = await cli(ws, ["--image", "joelhooks/app", "--tags", "t1"], {
      GHCR_PAT: PAT.good,
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("The Docker engine is not reachable");
    expect(result.stderr).toContain("colima");
  });

  it("tells a failing Dockerfile step from a registry failure, and does not retry it", async () => {
    const ws = await makeWorkspace("badbuild");
    await writeFile(join(ws.context, "Dockerfile"), "FROM scratch\nCOPY missing-file.txt /\n");
    const result = await cli(ws, ["--image", "joelhooks/app", "--tags", "t1"], { GHCR_PAT: PAT.good });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("The image build failed: docker reported an error in the build itself");
    expect(result.stderr).toContain("missing-file.txt");
    expect(result.stderr).not.toContain("retrying");
  });

  it("rejects a missing context or Dockerfile with exit 2 before any request", async () => {
    const ws = await makeWorkspace("nocontext");
    const before = front.log.length;
    const noContext = await runCli(
      [
        "build-push",
        "--registry",
        front.registry,
        "--image",
        "joelhooks/app",
        "--tags",
        "t1",
        "--context",
        join(ws.root, "nope"),
      ],
      {
        env: { ...ws.env, GHCR_PAT: PAT.good },
      },
    );
    expect(noContext.code).toBe(2);
    expect(noContext.stderr).toContain('input "context"');
    const noFile = await cli(
      ws,
      ["--image", "joelhooks/app", "--tags", "t1", "--file", join(ws.root, "Nope.Dockerfile")],
      { GHCR_PAT: PAT.good },
    );
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('input "file"');
    expect(front.log.length).toBe(before);
  });

  it("never let a PAT into any output, argv or file of the runs above", async () => {
    expect(transcripts.length).toBeGreaterThan(20);
    // ::add-mask:: is the runner's masking protocol: the runner consumes it and never shows it.
    const masked = transcripts
      .join("\n")
      .split("\n")
      .filter((line) => line.startsWith("::add-mask::"));
    expect(masked.length).toBeGreaterThan(0);
    for (const text of transcripts.map((t) =>
      t
        .split("\n")
        .filter((line) => !line.startsWith("::add-mask::"))
        .join("\n"),
    )) {
      for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(`joelhooks:${PAT.good}`).toString("base64"));
    }
  });
});
