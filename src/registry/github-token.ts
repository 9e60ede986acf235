import { failure, type ToolError } from "../errors";
import { type RegistryContext, renewPatHint } from "./classify";

/** GET {GITHUB_API_URL}/user as seen by the token check. */
export interface GitHubUserAnswer {
  status: number;
  header(name: string): string | null;
  body: string;
}

export interface TokenVerdict {
  /** What the check found, one line, for the log and the summary. */
  summary: string;
  warnings: string[];
  error?: ToolError;
  login?: string;
  expiresAt?: Date;
}

export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;

/** Judges GitHub's answer about a token: revoked/expired, wrong scopes, or expiring soon. */
export function judgeGitHubUser(
  answer: GitHubUserAnswer,
  options: { push: boolean; now: Date; ctx: RegistryContext },
): TokenVerdict {
  const { ctx } = options;
  if (answer.status === 401) {
    return {
      summary: "GitHub API: token rejected (401 Bad credentials)",
      warnings: [],
      error: failure(
        `GitHub does not accept the password of "${ctx.username}" (GET /user answered 401 Bad credentials): the PAT has expired or was revoked.`,
        renewPatHint(ctx),
      ),
    };
  }
  if (answer.status === 403 && /not accessible by integration/i.test(answer.body)) {
    return {
      summary: "GitHub API: an Actions/App token (no user scopes to check); the registry probe decides",
      warnings: [],
    };
  }
  if (answer.status !== 200) {
    const what = answer.status === 0 ? `unreachable: ${answer.body}` : `HTTP ${answer.status}`;
    return {
      summary: `GitHub API: could not check the token (${what}); the registry probe decides`,
      warnings: [`The GitHub API token check failed (${what}); going on with the registry probe.`],
    };
  }

  const login = parseLogin(answer.body);
  const scopesHeader = answer.header("x-oauth-scopes");
  const scopes = (scopesHeader ?? "")
    .split(",")
    .map((scope) => scope.trim())
    .filter(Boolean);
  const needed = options.push ? "write:packages" : "read:packages";
  const hasScope =
    scopes.includes(needed) || (needed === "read:packages" && scopes.includes("write:packages"));
  if (scopesHeader !== null && !hasScope) {
    return {
      summary: `GitHub API: token of ${login ?? "?"} lacks ${needed} (has: ${scopes.join(", ") || "no scopes"})`,
      warnings: [],
      login,
      error: failure(
        `The PAT of "${login ?? ctx.username}" lacks the ${needed} scope GHCR needs to ${options.push ? "push" : "pull"} (its scopes: ${scopes.join(", ") || "none"}).`,
        `Edit the token at GitHub → Settings → Developer settings → Personal access tokens (classic) and tick ${needed}; or: ${renewPatHint(ctx)}`,
      ),
    };
  }

  const warnings: string[] = [];
  const expiresAt = parseGitHubExpiration(answer.header("github-authentication-token-expiration"));
  let expiry = "no expiry date";
  if (expiresAt) {
    const days = Math.floor((expiresAt.getTime() - options.now.getTime()) / DAY_MS);
    expiry = `expires ${expiresAt.toISOString().slice(0, 10)} (in ${days} days)`;
    if (days < EXPIRY_WARNING_DAYS) {
      warnings.push(
        `The PAT of "${login ?? ctx.username}" expires on ${expiresAt.toISOString().slice(0, 10)}, in ${days} days. ${renewPatHint(ctx)}`,
      );
    }
  }
  const scopeNote = scopesHeader === null ? "no classic scopes reported" : `scopes ${scopes.join(", ")}`;
  return {
    summary: `GitHub API: ${login ?? "token"} ok, ${scopeNote}, ${expiry}`,
    warnings,
    login,
    expiresAt,
  };
}

/** GitHub-Authentication-Token-Expiration: "2026-12-01 00:00:00 UTC" or "2026-12-01 00:00:00 -0700". */
export function parseGitHubExpiration(value: string | null): Date | undefined {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})\s*(UTC|Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return undefined;
  const zone = !m[3] || m[3] === "UTC" || m[3] === "Z" ? "Z" : m[3].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const date = new Date(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parseLogin(body: string): string | undefined {
  try {
    const login = (JSON.parse(body) as { login?: unknown }).login;
    return typeof login === "string" ? login : undefined;
  } catch {
    return undefined;
  }
}

/** Asks GitHub who the token belongs to. Network trouble is a warning, never a verdict. */
export async function fetchGitHubUser(
  apiUrl: string,
  token: string,
  timeoutMs: number,
): Promise<GitHubUserAnswer> {
  try {
    const response = await fetch(`${apiUrl}/user`, {
      headers: {
        authorization: `token ${token}`,
        accept: "application/vnd.github+json",
        "user-agent": "joelclaw-k8s",
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    return { status: response.status, header: (name) => response.headers.get(name), body };
  } catch (error) {
    return { status: 0, header: () => null, body: networkErrorText(error) };
  }
}

/** fetch() hides the reason in error.cause; bring it out for messages and classification. */
export function networkErrorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  if (error.name === "TimeoutError") return `timed out (${error.message})`;
  return cause?.code ? `${cause.code}: ${cause.message ?? error.message}` : error.message;
}
