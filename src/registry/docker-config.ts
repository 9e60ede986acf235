import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join } from "node:path";

export const DOCKER_CONFIG_PREFIX = "joelclaw-docker-config-";

export interface DockerConfigOptions {
  registry: string;
  username: string;
  password: string;
  /** Where to make the private directory (RUNNER_TEMP in Actions). */
  parentDir: string;
  /** The docker config the user normally has, for its CLI plugins (buildx). */
  userConfigDir: string;
}

/** DOCKER_CONFIG the user normally has: $DOCKER_CONFIG or ~/.docker. */
export function userDockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), ".docker");
}

/**
 * The config.json of a private DOCKER_CONFIG: the credential written into auths (so docker never
 * consults a credential store, e.g. the macOS keychain that fails under launchd) and the user's
 * plugin directories, so buildx is still found.
 */
export function privateDockerConfig(options: DockerConfigOptions, userConfig: unknown): object {
  const extra = (userConfig as { cliPluginsExtraDirs?: unknown } | undefined)?.cliPluginsExtraDirs;
  const pluginDirs = [
    join(options.userConfigDir, "cli-plugins"),
    ...(Array.isArray(extra) ? extra.filter((dir): dir is string => typeof dir === "string") : []),
  ];
  return {
    auths: {
      [options.registry]: { auth: Buffer.from(`${options.username}:${options.password}`).toString("base64") },
    },
    credsStore: "",
    credHelpers: {},
    cliPluginsExtraDirs: [...new Set(pluginDirs)],
  };
}

/** Creates the private DOCKER_CONFIG (directory 0700, config.json 0600) and returns its path. */
export async function createPrivateDockerConfig(options: DockerConfigOptions): Promise<string> {
  const dir = await mkdtemp(join(options.parentDir, DOCKER_CONFIG_PREFIX));
  await chmod(dir, 0o700);
  const userConfig = await readFile(join(options.userConfigDir, "config.json"), "utf8")
    .then((text) => JSON.parse(text) as unknown)
    .catch(() => undefined);
  const file = join(dir, "config.json");
  await writeFile(file, `${JSON.stringify(privateDockerConfig(options, userConfig), null, 2)}\n`, {
    mode: 0o600,
  });
  return dir;
}

/** Removes a private DOCKER_CONFIG made by createPrivateDockerConfig; refuses any other directory. */
export async function removePrivateDockerConfig(dir: string): Promise<void> {
  if (!basename(dir).startsWith(DOCKER_CONFIG_PREFIX)) {
    throw new Error(`refusing to remove ${dir}: not a private docker config made by joelclaw-k8s`);
  }
  await rm(dir, { recursive: true, force: true });
}
