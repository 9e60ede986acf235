/**
 * Turns what a registry or the docker CLI said into one cause and its fix.
 * Pure: the same text always gives the same classification.
 */

export type FailureKind =
  | "credential-rejected"
  | "scope-missing"
  | "package-access"
  | "name-uppercase"
  | "rate-limited"
  | "registry-unavailable"
  | "transient-network"
  | "registry-unreachable"
  | "docker-unavailable"
  | "unknown";

export interface Classification {
  kind: FailureKind;
  /** Worth trying again (bounded): the registry or network may recover on its own. Denials never are. */
  retryable: boolean;
  message: string;
  hint: string;
}

export interface RegistryContext {
  registry: string;
  repository: string;
  username: string;
  /** GitHub's registry (ghcr.io, or one the user said is GHCR-compatible): fixes name PATs and GHCR_PAT. */
  ghcr: boolean;
}

const isGhcr = (ctx: RegistryContext) => ctx.ghcr;

export function renewPatHint(ctx: RegistryContext): string {
  if (!isGhcr(ctx)) return `Check the username and password for ${ctx.registry}, then run again.`;
  return (
    "Create a new classic personal access token with the scopes write:packages and read:packages " +
    "(GitHub → Settings → Developer settings → Personal access tokens → Tokens (classic)), then update BOTH copies: " +
    "the repository secret GHCR_PAT and the agent-secrets entry ghcr_pat (the one `secrets lease ghcr_pat` reads)."
  );
}

const RULES: Array<{ kind: FailureKind; test: RegExp }> = [
  { kind: "name-uppercase", test: /repository name must be lowercase/i },
  { kind: "scope-missing", test: /does not match expected scopes/i },
  {
    kind: "package-access",
    test: /permission_denied: write_package|installation not allowed to (?:Write|Create) organization package|permission_denied: (?:create|write)_package/i,
  },
  {
    kind: "credential-rejected",
    test: /denied: denied|"message"\s*:\s*"denied"|incorrect username or password|unauthorized: (?:incorrect|invalid)|bad credentials|invalid username\/password/i,
  },
  {
    kind: "rate-limited",
    test: /toomanyrequests|too many requests|HTTP status: 429|status(?: code)?:? 429\b|rate limit/i,
  },
  {
    kind: "docker-unavailable",
    test: /Cannot connect to the Docker daemon|error during connect|docker: command not found|docker\.sock: connect/i,
  },
  {
    kind: "registry-unavailable",
    test: /\b50[0-9] (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)|unexpected HTTP status: 5[0-9][0-9]|status(?: code)?:? 5[0-9][0-9]\b|received unexpected HTTP status: 5/i,
  },
  {
    kind: "transient-network",
    test: /unexpected EOF|TLS handshake timeout|blob upload unknown|connection reset by peer|broken pipe|i\/o timeout|Client\.Timeout exceeded|net\/http: request canceled/i,
  },
  {
    kind: "registry-unreachable",
    test: /connection refused|no such host|ECONNREFUSED|ENOTFOUND|network is unreachable/i,
  },
];

export function classifyRegistryFailure(text: string, ctx: RegistryContext): Classification {
  const kind = RULES.find((rule) => rule.test.test(text))?.kind ?? "unknown";
  return { kind, ...describe(kind, ctx) };
}

/** The classification of an HTTP status when the body said nothing we recognise. */
export function classifyHttpStatus(status: number, ctx: RegistryContext): Classification {
  const kind: FailureKind =
    status === 429
      ? "rate-limited"
      : status >= 500
        ? "registry-unavailable"
        : status === 401
          ? "credential-rejected"
          : status === 403
            ? "package-access"
            : "unknown";
  return { kind, ...describe(kind, ctx) };
}

function describe(kind: FailureKind, ctx: RegistryContext): Omit<Classification, "kind"> {
  const ref = `${ctx.registry}/${ctx.repository}`;
  switch (kind) {
    case "credential-rejected":
      return {
        retryable: false,
        message: `${ctx.registry} rejected the credentials of "${ctx.username}": the token is wrong, expired or revoked.`,
        hint: renewPatHint(ctx),
      };
    case "scope-missing":
      return {
        retryable: false,
        message: `The token of "${ctx.username}" can log in to ${ctx.registry} but may not push: it lacks the write:packages scope ("The token provided does not match expected scopes").`,
        hint: isGhcr(ctx)
          ? `Edit the classic PAT and tick write:packages (GitHub's Actions GITHUB_TOKEN also needs "permissions: packages: write"). ${renewPatHint(ctx)}`
          : `Give the account push rights on ${ref}.`,
      };
    case "package-access":
      return {
        retryable: false,
        message: `"${ctx.username}" may not write the package ${ref}: the token has the scope but no write role on this package (or the package is not linked to this repository).`,
        hint: isGhcr(ctx)
          ? `Open the package on GitHub → Package settings → "Manage Actions access", add this repository with the Write role (or grant "${ctx.username}" write access); new packages link to their repository through the label org.opencontainers.image.source, which this action sets.`
          : `Grant "${ctx.username}" push rights on ${ref}.`,
      };
    case "name-uppercase":
      return {
        retryable: false,
        message: `The registry rejected the image name ${ref}: repository names must be lowercase.`,
        hint: `Use "${ctx.repository.toLowerCase()}" in the input "image".`,
      };
    case "rate-limited":
      return {
        retryable: true,
        message: `${ctx.registry} is rate limiting requests (429 Too Many Requests).`,
        hint: "Wait a few minutes and run again; authenticated requests have higher limits.",
      };
    case "registry-unavailable":
      return {
        retryable: true,
        message: `${ctx.registry} answered with a server error (5xx): the registry is down or degraded.`,
        hint: `Check the registry's status page${isGhcr(ctx) ? " (githubstatus.com, Packages)" : ""} and run again later.`,
      };
    case "transient-network":
      return {
        retryable: true,
        message: `The connection to ${ctx.registry} broke during the transfer.`,
        hint: "Run again; if it keeps happening, check the runner's network and proxy.",
      };
    case "registry-unreachable":
      return {
        retryable: true,
        message: `${ctx.registry} could not be reached (connection refused or unknown host).`,
        hint: `Check the input "registry" and the runner's network and DNS.`,
      };
    case "docker-unavailable":
      return {
        retryable: false,
        message: "The Docker engine is not reachable from this runner.",
        hint: "Start it (on the Mac Mini: `colima start`; a zombie Colima needs `colima restart`) and check DOCKER_HOST / the docker context.",
      };
    case "unknown":
      return {
        retryable: false,
        message: `The registry operation on ${ref} failed.`,
        hint: "Read the registry's message below; a 4xx names what it refused, a 5xx means the registry itself is in trouble.",
      };
  }
}
