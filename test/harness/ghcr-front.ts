import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small auth front that speaks GHCR's token flow and returns its exact error bodies, in front of a
 * real distribution registry. Everything it accepts is forwarded to that registry untouched.
 */
export interface GhcrAccount {
  username: string;
  password: string;
  /** Classic PAT scopes, e.g. ["write:packages", "read:packages"]. */
  scopes: string[];
  /** Has a write role on the packages (false: "not linked to the repository" / no Actions access). */
  packageWrite: boolean;
}

export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  remaining: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface GhcrFront {
  /** host:port, what the tools call the registry */
  registry: string;
  url: string;
  accounts: GhcrAccount[];
  /** Requests seen, "METHOD path", for assertions. */
  log: string[];
  /** The next `count` requests matching method and path get this status instead of being served. */
  injectFault(fault: Omit<Fault, "remaining"> & { count: number }): void;
  stop(): Promise<void>;
}

export const GHCR_BODIES = {
  unauthorized: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
  denied: '{"errors":[{"code":"DENIED","message":"denied"}]}',
  scopes:
    '{"errors":[{"code":"DENIED","message":"permission_denied: The token provided does not match expected scopes."}]}',
  writePackage: '{"errors":[{"code":"DENIED","message":"permission_denied: write_package"}]}',
} as const;

export async function startGhcrFront(backendUrl: string, accounts: GhcrAccount[]): Promise<GhcrFront> {
  const tokens = new Map<string, GhcrAccount | "anonymous">();
  const faults: Fault[] = [];
  const log: string[] = [];
  const backend = new URL(backendUrl);
  let base = "";

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", base);
    const method = req.method ?? "GET";
    log.push(`${method} ${url.pathname}`);

    const fault = faults.find((f) => f.remaining > 0 && f.method === method && f.path.test(url.pathname));
    if (fault) {
      fault.remaining--;
      req.resume();
      send(
        res,
        fault.status,
        fault.body ?? `{"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}`,
        fault.headers,
      );
      return;
    }

    if (url.pathname === "/token") {
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
      if (!basic) {
        const token = randomBytes(16).toString("hex");
        tokens.set(token, "anonymous");
        send(res, 200, JSON.stringify({ token }));
        return;
      }
      const [user, ...rest] = Buffer.from(basic[1] as string, "base64")
        .toString("utf8")
        .split(":");
      const account = accounts.find((a) => a.username === user && a.password === rest.join(":"));
      if (!account) {
        send(res, 403, GHCR_BODIES.denied);
        return;
      }
      const token = randomBytes(16).toString("hex");
      tokens.set(token, account);
      send(res, 200, JSON.stringify({ token }));
      return;
    }

    const challenge = {
      "www-authenticate": `Bearer realm="${base}/token",service="ghcr.io",scope="repository:user/image:pull"`,
    };
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    const holder = bearer ? tokens.get(bearer[1] as string) : undefined;
    if (!holder) {
      req.resume();
      send(res, 401, GHCR_BODIES.unauthorized, challenge);
      return;
    }
    const writes = method !== "GET" && method !== "HEAD";
    if (writes && url.pathname !== "/v2/") {
      if (holder === "anonymous") {
        req.resume();
        send(res, 401, GHCR_BODIES.unauthorized, challenge);
        return;
      }
      if (!holder.scopes.includes("write:packages")) {
        req.resume();
        send(res, 403, GHCR_BODIES.scopes);
        return;
      }
      if (!holder.packageWrite) {
        req.resume();
        send(res, 403, GHCR_BODIES.writePackage);
        return;
      }
    }
    forward(req, res);
  };

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const headers = { ...req.headers };
    delete headers.authorization;
    const upstream = request(
      { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (error) =>
      send(res, 502, JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: error.message }] })),
    );
    req.pipe(upstream);
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  return {
    registry: `127.0.0.1:${port}`,
    url: base,
    accounts,
    log,
    injectFault({ count, ...fault }) {
      faults.push({ ...fault, remaining: count });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
