import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "./ports";

/** The CNCF distribution registry (Debian's docker-registry) on loopback, without auth: the GHCR front adds it. */
export interface RegistryBackend {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startRegistryBackend(): Promise<RegistryBackend> {
  const dir = await mkdtemp(join(tmpdir(), "joelclaw-registry-"));
  const port = await freePort();
  const config = join(dir, "config.yml");
  await writeFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "data")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("docker-registry", ["serve", config], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor("docker-registry", async () => (await fetch(`${url}/v2/`)).ok);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}; its stderr: ${stderr}`);
  }
  return {
    url,
    port,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
