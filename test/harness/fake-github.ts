import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The one GitHub REST call the toolset makes for GHCR (GET /user), as GitHub answers it. */
export interface GitHubToken {
  token: string;
  login: string;
  /** X-OAuth-Scopes; undefined for tokens that have none (fine-grained, app tokens). */
  scopes?: string[];
  /** GitHub-Authentication-Token-Expiration */
  expiresAt?: Date;
}

export interface FakeGitHub {
  apiUrl: string;
  requests: string[];
  stop(): Promise<void>;
}

const formatExpiration = (date: Date) => `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;

export async function startFakeGitHub(tokens: GitHubToken[]): Promise<FakeGitHub> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const presented = /^(?:token|Bearer) (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const known = tokens.find((t) => t.token === presented);
    if (req.url !== "/user") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}');
      return;
    }
    if (!known) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(
        '{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}',
      );
      return;
    }
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (known.scopes) headers["x-oauth-scopes"] = known.scopes.join(", ");
    if (known.expiresAt)
      headers["github-authentication-token-expiration"] = formatExpiration(known.expiresAt);
    res.writeHead(200, headers);
    res.end(JSON.stringify({ login: known.login, id: 1, type: "User" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
