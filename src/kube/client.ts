import { request as httpRequest } from "node:http";
import { Agent, request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeTarget } from "./kubeconfig";

/** A Kubernetes API error: the Status the server returned, or a connection failure (status 0). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "KubeApiError";
  }
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read field by field by the pure rules
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  status?: any;
  // biome-ignore lint/suspicious/noExplicitAny: ControllerRevision data and the like
  [key: string]: any;
}

export interface KubeList<T = KubeObject> {
  metadata: { resourceVersion: string };
  items: T[];
}

export interface WatchEvent<T = KubeObject> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

export type PatchType = "strategic" | "merge" | "json" | "apply";
const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  strategic: "application/strategic-merge-patch+json",
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  apply: "application/apply-patch+yaml",
};

const REQUEST_TIMEOUT_MS = 30_000;

/** A small client for the Kubernetes REST API: JSON requests and streamed watches, with a request count. */
export class KubeClient {
  readonly target: KubeTarget;
  /** Requests made (watch connections count once each): the bench reads this. */
  requests = 0;
  readonly #agent: Agent;

  constructor(target: KubeTarget) {
    this.target = target;
    this.#agent = new Agent({
      keepAlive: true,
      ca: target.ca,
      cert: target.cert,
      key: target.key,
      rejectUnauthorized: !target.insecureSkipTlsVerify,
    });
  }

  close(): void {
    this.#agent.destroy();
  }

  #options(method: string, path: string, headers: Record<string, string>): RequestOptions & { url: URL } {
    const url = new URL(this.target.server + path);
    return {
      url,
      method,
      agent: url.protocol === "https:" ? this.#agent : undefined,
      headers: {
        accept: "application/json",
        "user-agent": "joelclaw-k8s",
        ...(this.target.token ? { authorization: `Bearer ${this.target.token}` } : {}),
        ...headers,
      },
    };
  }

  async request<T = KubeObject>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<T> {
    const text = await this.requestText(method, path, body, contentType);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** A request whose answer is text (pod logs), or JSON for request() to parse. */
  async requestText(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<string> {
    this.requests++;
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const { url, ...options } = this.#options(
      method,
      path,
      payload === undefined ? {} : { "content-type": contentType },
    );
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<string>((resolve, reject) => {
      const req = send(url, { ...options, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve(text);
            return;
          }
          reject(statusError(status, text, `${method} ${path}`));
        });
        res.on("error", (error) =>
          reject(new KubeApiError(0, "ConnectionError", `${method} ${path}: ${error.message}`)),
        );
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on("error", (error) =>
        reject(new KubeApiError(0, "ConnectionError", `${method} ${path}: ${error.message}`)),
      );
      req.end(payload);
    });
  }

  get<T = KubeObject>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  patch<T = KubeObject>(path: string, body: unknown, type: PatchType): Promise<T> {
    return this.request<T>("PATCH", path, body, PATCH_CONTENT_TYPES[type]);
  }

  /**
   * Opens one watch connection and streams its events until the server ends it (timeoutSeconds),
   * the connection breaks, or `signal` aborts. Resolves when it ends; rejects on HTTP errors.
   */
  watchOnce(path: string, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    this.requests++;
    const { url, ...options } = this.#options("GET", path, {});
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const req = send(url, { ...options, signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            reject(statusError(status, Buffer.concat(chunks).toString("utf8"), `watch ${path}`)),
          );
          return;
        }
        let buffered = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffered += chunk;
          let newline = buffered.indexOf("\n");
          while (newline >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (!line) {
              newline = buffered.indexOf("\n");
              continue;
            }
            try {
              onEvent(JSON.parse(line) as WatchEvent);
            } catch (error) {
              req.destroy();
              reject(error);
              return;
            }
            newline = buffered.indexOf("\n");
          }
        });
        // A killed API server may end the stream without "end": "close" covers every way it stops.
        res.on("end", () => resolve());
        res.on("error", () => resolve());
        res.on("close", () => resolve());
      });
      req.on("error", (error) => {
        if (signal.aborted) resolve();
        else reject(new KubeApiError(0, "ConnectionError", `watch ${path}: ${error.message}`));
      });
      req.end();
    });
  }
}

function statusError(status: number, text: string, what: string): KubeApiError {
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(status, parsed.reason ?? String(status), parsed.message ?? text);
  } catch {
    return new KubeApiError(status, String(status), `${what}: HTTP ${status} ${text.slice(0, 200)}`);
  }
}
