import { tmpdir } from "node:os";

/** What a workflow run tells a step through its environment; every field optional outside Actions. */
export interface GitHubContext {
  sha?: string;
  actor?: string;
  /** owner/repo */
  repository?: string;
  serverUrl: string;
  apiUrl: string;
  runUrl?: string;
  /** Where a run may leave temporary files: RUNNER_TEMP in Actions, the OS temp dir elsewhere. */
  tempDir: string;
}

export function readGitHubContext(env: NodeJS.ProcessEnv): GitHubContext {
  const serverUrl = (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
  const repository = env.GITHUB_REPOSITORY || undefined;
  const runUrl =
    repository && env.GITHUB_RUN_ID
      ? `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return {
    sha: env.GITHUB_SHA || undefined,
    actor: env.GITHUB_ACTOR || undefined,
    repository,
    serverUrl,
    apiUrl: (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, ""),
    runUrl,
    tempDir: env.RUNNER_TEMP || tmpdir(),
  };
}

/** A git remote URL as the https page of the repository (for the OCI source label), or undefined. */
export function remoteToHttps(remote: string): string | undefined {
  const trimmed = remote.trim();
  const scp = /^git@([^:]+):(.+?)(?:\.git)?$/.exec(trimmed);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  const url = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::[0-9]+)?\/(.+?)(?:\.git)?\/?$/.exec(trimmed);
  if (url) return `https://${url[1]}/${url[2]}`;
  return undefined;
}
