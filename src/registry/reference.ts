/** Names of registries, repositories and tags, as the distribution spec defines them. */

const REPOSITORY_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REGISTRY_HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

export const GHCR = "ghcr.io";

/** Why a registry host is not valid, or undefined when it is. */
export function registryProblem(registry: string): string | undefined {
  if (/^[a-z]+:\/\//i.test(registry)) {
    return `must be a host name without a scheme, e.g. "${registry.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "")}"`;
  }
  if (!REGISTRY_HOST.test(registry))
    return 'must be a registry host, optionally with a port, e.g. "ghcr.io" or "127.0.0.1:5000"';
  return undefined;
}

/** Why an image repository ("owner/name") is not valid, or undefined when it is. */
export function repositoryProblem(repository: string): string | undefined {
  if (repository.includes("@") || /:[^/]*$/.test(repository)) {
    return 'must be "owner/name" without a tag or digest: give tags in the input "tags"';
  }
  const parts = repository.split("/");
  if (parts.length < 2) return 'must be "owner/name", e.g. "joelhooks/system-bus-worker"';
  if (parts[0]?.includes(".") || parts[0]?.includes(":") || parts[0] === "localhost") {
    return `must not include the registry ("${parts[0]}"): give it in the input "registry" and the image as "${parts.slice(1).join("/")}"`;
  }
  if (repository !== repository.toLowerCase()) {
    return `must be lowercase: registries reject uppercase repository names ("repository name must be lowercase"); use "${repository.toLowerCase()}"`;
  }
  const bad = parts.find((part) => !REPOSITORY_COMPONENT.test(part));
  if (bad !== undefined) {
    return `has an invalid path component "${bad}": use lowercase letters, digits and single separators (. _ __ -)`;
  }
  if (repository.length > 255) return "must be at most 255 characters";
  return undefined;
}

export function tagProblem(tag: string): string | undefined {
  if (tag.includes("/") || tag.includes("@"))
    return `"${tag}" is a reference, not a tag: give only the tag, e.g. "latest"`;
  if (!TAG.test(tag))
    return `"${tag}" is not a valid tag: up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -`;
  return undefined;
}

/** Plain HTTP for loopback registries, as Docker does; HTTPS everywhere else. */
export function registryBaseUrl(registry: string): string {
  const host = registry.replace(/:[0-9]+$/, "");
  const loopback = host === "localhost" || /^127\./.test(host) || host === "[::1]";
  return `${loopback ? "http" : "https"}://${registry}`;
}

export function imageName(registry: string, repository: string): string {
  return `${registry}/${repository}`;
}

/** Why a full image reference (name[:tag][@sha256:…], as deploy takes it) is not valid, or undefined. */
export function imageRefProblem(ref: string): string | undefined {
  const [nameAndTag, digest, ...extra] = ref.split("@");
  if (extra.length > 0 || nameAndTag === undefined || nameAndTag === "") return "is not an image reference";
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest))
    return `has an invalid digest "${digest}": expected sha256: and 64 hex digits`;
  const slash = nameAndTag.lastIndexOf("/");
  const colon = nameAndTag.lastIndexOf(":");
  const name = colon > slash ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = colon > slash ? nameAndTag.slice(colon + 1) : undefined;
  if (tag !== undefined && tagProblem(tag)) return `has an invalid tag "${tag}"`;
  const parts = name.split("/");
  const first = parts[0] ?? "";
  const host =
    parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")
      ? parts.shift()
      : undefined;
  if (host !== undefined && registryProblem(host)) return `has an invalid registry "${host}"`;
  if (parts.join("/") !== parts.join("/").toLowerCase())
    return "must be lowercase (registries reject uppercase repository names)";
  const bad = parts.find((part) => !REPOSITORY_COMPONENT.test(part));
  if (bad !== undefined) return `has an invalid path component "${bad}"`;
  return undefined;
}
