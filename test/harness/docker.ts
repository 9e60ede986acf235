import { execFileSync } from "node:child_process";

/** Whether a Docker engine answers; integration tests that need one skip outside CI, fail in CI. */
export function dockerEngine(): { ok: true; version: string } | { ok: false; why: string } {
  try {
    const version = execFileSync("docker", ["version", "--format", "{{.Server.Version}}"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 20_000,
    }).trim();
    return { ok: true, version };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    return {
      ok: false,
      why: `no Docker engine answers (${stderr.trim().split("\n").pop()}); start one with \`npm run docker:up\``,
    };
  }
}

export function commandExists(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * In CI a missing prerequisite is a failure, never a skip: returns true to skip (outside CI),
 * throws in CI. `.ci/run` also fails any run that reports a skipped test.
 */
export function skipWithout(prerequisite: string, missing: string | undefined): boolean {
  if (missing === undefined) return false;
  if (process.env.CI) throw new Error(`CI needs ${prerequisite}: ${missing}`);
  console.warn(`skipping: ${prerequisite} missing: ${missing}`);
  return true;
}
