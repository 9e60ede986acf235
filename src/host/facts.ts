import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { execFile } from "../exec";

/** What the host checks read from the Mac Mini (or whatever runs them); undefined where the tool is absent. */
export interface HostFacts {
  /** `colima ssh -- df -P /` use %, or why it could not be read. */
  colimaDisk: { usePercent: number } | { skipped: string };
  /** Each plist: its PATH, or why it could not be read. */
  plists: Array<{ file: string; path?: string; skipped?: string }>;
  /** docker inspect of the Talos container. */
  talos: { restartPolicy: string; memoryBytes: number; portBindings: string[] } | { skipped: string };
  /** Running `kubectl port-forward` command lines. */
  portForwards: string[];
}

const expandHome = (file: string, env: NodeJS.ProcessEnv) => file.replace(/^~(?=\/)/, env.HOME || homedir());

export async function readHostFacts(
  config: { colimaProfile: string; launchdPlists: string[]; talosContainer: string },
  env: NodeJS.ProcessEnv,
): Promise<HostFacts> {
  const [colimaDisk, plists, talos, portForwards] = await Promise.all([
    readColimaDisk(config.colimaProfile, env),
    Promise.all(config.launchdPlists.map((file) => readPlistPath(expandHome(file, env)))),
    readTalos(config.talosContainer, env),
    readPortForwards(env),
  ]);
  return { colimaDisk, plists, talos, portForwards };
}

async function readColimaDisk(profile: string, env: NodeJS.ProcessEnv): Promise<HostFacts["colimaDisk"]> {
  const r = await execFile("colima", ["ssh", "--profile", profile, "--", "df", "-P", "/"], {
    env,
    timeoutMs: 15_000,
  });
  if (r.notFound) return { skipped: "colima is not installed here (not the Mac Mini)" };
  if (r.exitCode !== 0) return { skipped: `colima ssh failed: ${r.stderr.trim().split("\n").pop()}` };
  const m = / (\d+)% /.exec(r.stdout.trim().split("\n").pop() ?? "");
  return m ? { usePercent: Number(m[1]) } : { skipped: `could not read df's output: ${r.stdout.trim()}` };
}

async function readPlistPath(file: string): Promise<HostFacts["plists"][number]> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return { file, skipped: "not found" };
  const env = /<key>EnvironmentVariables<\/key>\s*<dict>([\s\S]*?)<\/dict>/.exec(text)?.[1] ?? "";
  const path = /<key>PATH<\/key>\s*<string>([^<]*)<\/string>/.exec(env)?.[1];
  return { file, path: path ?? "" };
}

async function readTalos(container: string, env: NodeJS.ProcessEnv): Promise<HostFacts["talos"]> {
  const r = await execFile("docker", ["inspect", container], { env, timeoutMs: 15_000 });
  if (r.notFound) return { skipped: "docker is not installed here" };
  if (r.exitCode !== 0) return { skipped: `no container ${container} on this Docker engine` };
  try {
    const [info] = JSON.parse(r.stdout) as Array<{
      HostConfig?: {
        RestartPolicy?: { Name?: string };
        Memory?: number;
        PortBindings?: Record<string, unknown>;
      };
    }>;
    return {
      restartPolicy: info?.HostConfig?.RestartPolicy?.Name ?? "",
      memoryBytes: info?.HostConfig?.Memory ?? 0,
      portBindings: Object.keys(info?.HostConfig?.PortBindings ?? {}),
    };
  } catch {
    return { skipped: "docker inspect printed no JSON" };
  }
}

async function readPortForwards(env: NodeJS.ProcessEnv): Promise<string[]> {
  const r = await execFile("ps", ["-eo", "args"], { env, timeoutMs: 10_000 });
  if (r.exitCode !== 0) return [];
  return r.stdout.split("\n").filter((line) => /\bkubectl\b.*\bport-forward\b/.test(line));
}
