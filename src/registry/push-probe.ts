import { failure, type ToolError } from "../errors";
import {
  type Classification,
  classifyHttpStatus,
  classifyRegistryFailure,
  type RegistryContext,
} from "./classify";
import { networkErrorText } from "./github-token";
import { registryBaseUrl } from "./reference";
import { DEFAULT_RETRY, parseRetryAfter, type RetryPolicy, retryDelayMs, sleep } from "./retry";

export interface ProbeOptions extends RegistryContext {
  password: string;
  /** push: open (and cancel) a blob upload; pull only: get a pull token. */
  push: boolean;
  timeoutMs: number;
  retry?: RetryPolicy;
  onRetry?: (message: string) => void;
}

export interface ProbeResult {
  scheme: "bearer" | "basic" | "anonymous";
  summary: string;
}

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * Proves the credential may push to the repository, without pushing anything: the token flow of the
 * distribution spec, then a blob upload opened and cancelled. Works on GHCR and any distribution registry.
 */
export async function probePushAccess(options: ProbeOptions): Promise<ProbeResult> {
  const base = registryBaseUrl(options.registry);
  const ping = await request(options, "GET", `${base}/v2/`, {});
  let authorization: string | undefined;
  let scheme: ProbeResult["scheme"] = "anonymous";

  if (ping.status === 401) {
    const challenge = parseChallenge(ping.headers.get("www-authenticate") ?? "");
    const basic = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
    if (challenge.scheme === "bearer" && challenge.params.realm) {
      scheme = "bearer";
      const url = new URL(challenge.params.realm);
      if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
      url.searchParams.set(
        "scope",
        `repository:${options.repository}:${options.push ? "push,pull" : "pull"}`,
      );
      const granted = await request(options, "GET", url.toString(), { authorization: basic });
      if (granted.status !== 200) throw registryError(granted, options, "the token request");
      const token = parseToken(granted.body);
      if (!token) throw failure(`${options.registry}'s token endpoint answered 200 without a token.`);
      authorization = `Bearer ${token}`;
    } else {
      scheme = "basic";
      authorization = basic;
    }
  } else if (ping.status !== 200) {
    throw registryError(ping, options, "GET /v2/");
  }

  const headers: Record<string, string> = authorization ? { authorization } : {};
  if (!options.push) {
    if (scheme === "basic") {
      const check = await request(options, "GET", `${base}/v2/`, headers);
      if (check.status !== 200) throw registryError(check, options, "the login check");
    }
    return { scheme, summary: `${options.registry}: login ok (${scheme}); pull only, no push probe` };
  }

  const upload = await request(options, "POST", `${base}/v2/${options.repository}/blobs/uploads/`, headers);
  if (upload.status !== 202) throw registryError(upload, options, "opening a blob upload");
  const location = upload.headers.get("location");
  if (location) {
    // Cancel the empty upload; GHCR answers 405 and expires it on its own, which is fine.
    await request(options, "DELETE", new URL(location, base).toString(), headers).catch(() => undefined);
  }
  return {
    scheme,
    summary: `${options.registry}: push access to ${options.repository} proven (${scheme} auth, blob upload opened and cancelled)`,
  };
}

async function request(
  options: ProbeOptions,
  method: string,
  url: string,
  headers: Record<string, string>,
): Promise<Answer> {
  const policy = options.retry ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    let answer: Answer;
    try {
      const response = await fetch(url, {
        method,
        headers: { "user-agent": "joelclaw-k8s", ...headers },
        redirect: "follow",
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      answer = { status: response.status, headers: response.headers, body: await response.text() };
    } catch (error) {
      const text = networkErrorText(error);
      const classification = classifyRegistryFailure(text, options);
      const delay = classification.retryable ? retryDelayMs(attempt + 1, policy) : undefined;
      if (delay === undefined) throw errorFrom(classification, `${method} ${redactUrl(url)}: ${text}`);
      options.onRetry?.(`${method} ${redactUrl(url)} failed (${text}); retrying in ${delay / 1000} s`);
      await sleep(delay);
      continue;
    }
    if (answer.status !== 429 && answer.status < 500) return answer;
    const retryAfter = parseRetryAfter(answer.headers.get("retry-after"), new Date());
    const delay = retryDelayMs(attempt + 1, policy, answer.status === 429 ? retryAfter : undefined);
    if (delay === undefined) return answer;
    options.onRetry?.(
      `${options.registry} answered ${answer.status} to ${method} ${redactUrl(url)}; retrying in ${delay / 1000} s`,
    );
    await sleep(delay);
  }
}

function registryError(answer: Answer, ctx: RegistryContext, step: string): ToolError {
  const byBody = classifyRegistryFailure(answer.body, ctx);
  const classification = byBody.kind === "unknown" ? classifyHttpStatus(answer.status, ctx) : byBody;
  return errorFrom(classification, `${step}: HTTP ${answer.status} ${summarizeBody(answer.body)}`);
}

function errorFrom(classification: Classification, said: string): ToolError {
  return failure(`${classification.message} (registry said: ${said})`, classification.hint);
}

/** The registry's error message(s) from its JSON body, or the start of the text. */
export function summarizeBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ code?: string; message?: string }> };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      return parsed.errors.map((e) => `${(e.code ?? "").toLowerCase()}: ${e.message ?? ""}`).join("; ");
    }
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200);
}

export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  const params: Record<string, string> = {};
  if (!m) return { scheme: "", params };
  for (const p of (m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)) params[(p[1] ?? "").toLowerCase()] = p[2] ?? "";
  return { scheme: (m[1] ?? "").toLowerCase(), params };
}

function parseToken(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { token?: unknown; access_token?: unknown };
    const token = parsed.token ?? parsed.access_token;
    return typeof token === "string" && token.length > 0 ? token : undefined;
  } catch {
    return undefined;
  }
}

function redactUrl(url: string): string {
  const u = new URL(url);
  u.search = "";
  return u.toString();
}
