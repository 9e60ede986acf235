import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway place for one run of a tool: HOME, a temp dir (RUNNER_TEMP/TMPDIR), a build context,
 * and a `docker` on PATH that records its argv before running the real one.
 */
export interface Workspace {
  root: string;
  home: string;
  temp: string;
  context: string;
  argvLog: string;
  env: NodeJS.ProcessEnv;
  /** Every file under the workspace whose content contains one of the needles. */
  filesContaining(needles: string[]): Promise<string[]>;
}

export async function makeWorkspace(label: string): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), `joelclaw-${label}-`));
  const home = join(root, "home");
  const temp = join(root, "tmp");
  const context = join(root, "context");
  const shims = join(root, "shims");
  const argvLog = join(root, "docker-argv.log");
  await Promise.all([home, temp, context, shims].map((d) => mkdir(d, { recursive: true })));
  const realDocker = execFileSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).trim();
  await writeFile(
    join(shims, "docker"),
    [
      "#!/bin/sh",
      `printf 'argv: %s\\n' "$*" >> '${argvLog}'`,
      `env | sed 's/^/env: /' >> '${argvLog}'`,
      'if [ -n "$JOELCLAW_TEST_HANG_ON_BUILD" ] && [ "$1" = build ]; then sleep 300; fi',
      `exec '${realDocker}' "$@"`,
      "",
    ].join("\n"),
  );
  await chmod(join(shims, "docker"), 0o755);
  await writeFile(join(context, "Dockerfile"), "FROM scratch\nCOPY payload.txt /payload.txt\n");
  await writeFile(join(context, "payload.txt"), `${label} ${Date.now()} ${Math.random()}\n`);
  await writeFile(argvLog, "");
  const env: NodeJS.ProcessEnv = {
    PATH: `${shims}:${process.env.PATH ?? ""}`,
    HOME: home,
    TMPDIR: temp,
    RUNNER_TEMP: temp,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  };
  return {
    root,
    home,
    temp,
    context,
    argvLog,
    env,
    async filesContaining(needles) {
      const hits: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) await walk(path);
          else if (entry.isFile() && (await stat(path)).size < 10_000_000) {
            const text = await readFile(path, "utf8");
            if (needles.some((n) => text.includes(n))) hits.push(path);
          }
        }
      };
      await walk(root);
      return hits;
    },
  };
}

/** The digest the registry itself serves for a tag (HEAD manifest, Docker v2 or OCI). */
export async function registryDigest(
  registryUrl: string,
  repository: string,
  tag: string,
): Promise<string | null> {
  const response = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
    method: "HEAD",
    headers: {
      accept: [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.index.v1+json",
      ].join(", "),
    },
  });
  return response.ok ? response.headers.get("docker-content-digest") : null;
}
