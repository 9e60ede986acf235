import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPrivateDockerConfig, removePrivateDockerConfig } from "../../src/registry/docker-config";
import { commandExists, skipWithout } from "../harness/docker";

const skip = skipWithout("the docker CLI", commandExists("docker") ? undefined : "docker is not on PATH");

/** A real CLI plugin (the protocol buildx itself speaks), installed where a user's plugins live. */
async function installPlugin(dir: string, name: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `docker-${name}`);
  await writeFile(
    file,
    [
      "#!/bin/sh",
      'if [ "$1" = docker-cli-plugin-metadata ]; then',
      `  echo '{"SchemaVersion":"0.1.0","Vendor":"joelclaw tests","Version":"v0.0.1","ShortDescription":"test plugin ${name}"}'`,
      "  exit 0",
      "fi",
      `echo "plugin ${name} ran: $*"`,
      "",
    ].join("\n"),
  );
  await chmod(file, 0o755);
}

describe.skipIf(skip)("private DOCKER_CONFIG with the real docker CLI", () => {
  it("still finds the user's CLI plugins (as buildx is found) from ~/.docker/cli-plugins and cliPluginsExtraDirs", async () => {
    const root = await mkdtemp(join(tmpdir(), "joelclaw-plugins-"));
    const userConfig = join(root, "home", ".docker");
    const homebrewPlugins = join(root, "homebrew", "lib", "docker", "cli-plugins");
    await installPlugin(join(userConfig, "cli-plugins"), "hello");
    await installPlugin(homebrewPlugins, "brewed");
    await writeFile(
      join(userConfig, "config.json"),
      JSON.stringify({ credsStore: "osxkeychain", cliPluginsExtraDirs: [homebrewPlugins] }),
    );

    const dir = await createPrivateDockerConfig({
      registry: "ghcr.io",
      username: "u",
      password: "secret-pass",
      parentDir: root,
      userConfigDir: userConfig,
    });
    const env = { PATH: process.env.PATH, HOME: join(root, "home"), DOCKER_CONFIG: dir };
    expect(execFileSync("docker", ["hello", "a"], { env, encoding: "utf8" })).toContain(
      "plugin hello ran: hello a",
    );
    expect(execFileSync("docker", ["brewed"], { env, encoding: "utf8" })).toContain(
      "plugin brewed ran: brewed",
    );

    // Without the private config's plugin dirs, docker would not see them: the test can fail.
    const bare = await mkdtemp(join(root, "bare-"));
    await writeFile(join(bare, "config.json"), "{}");
    expect(() =>
      execFileSync("docker", ["hello"], { env: { ...env, DOCKER_CONFIG: bare }, stdio: "pipe" }),
    ).toThrow();
    await removePrivateDockerConfig(dir);
  });
});
