import { badInput } from "../errors";
import { imageName } from "./reference";

/** Everything build-push will do, decided before anything runs. */
export interface BuildPushPlan {
  registry: string;
  repository: string;
  /** registry/owner/name */
  image: string;
  /** Full references, one per tag. */
  tagRefs: string[];
  tags: string[];
  username: string;
  context: string;
  file?: string;
  buildArgs: string[];
  labels: string[];
  platforms: string[];
  push: boolean;
}

export interface PlanInputs {
  registry: string;
  image: string;
  context: string;
  file?: string;
  tags: string[];
  username?: string;
  buildArgs: string[];
  labels: string[];
  platforms: string[];
  push: boolean;
}

export interface PlanFacts {
  /** The commit being built: GITHUB_SHA, or git's HEAD from a terminal. */
  revision?: string;
  actor?: string;
  /** https URL of the source repository, for org.opencontainers.image.source. */
  sourceUrl?: string;
  now: Date;
}

export const OCI_SOURCE = "org.opencontainers.image.source";
export const OCI_REVISION = "org.opencontainers.image.revision";
export const OCI_CREATED = "org.opencontainers.image.created";

export function planBuildPush(inputs: PlanInputs, facts: PlanFacts): BuildPushPlan {
  const tags = inputs.tags.length > 0 ? unique(inputs.tags) : defaultTags(facts.revision);
  const username = inputs.username ?? facts.actor ?? inputs.image.split("/")[0] ?? "";
  const image = imageName(inputs.registry, inputs.image);
  return {
    registry: inputs.registry,
    repository: inputs.image,
    image,
    tags,
    tagRefs: tags.map((tag) => `${image}:${tag}`),
    username,
    context: inputs.context,
    file: inputs.file,
    buildArgs: inputs.buildArgs,
    labels: withDefaultLabels(inputs.labels, facts),
    platforms: inputs.platforms,
    push: inputs.push,
  };
}

function defaultTags(revision: string | undefined): string[] {
  if (!revision) {
    throw badInput(
      'input "tags" is empty and there is no commit to tag with (GITHUB_SHA is unset and the context is not a git checkout).',
      'Give the tags, e.g. --tags "v1.2.3,latest".',
    );
  }
  return [revision, "latest"];
}

/** OCI labels source, revision and created, unless the user gave them. User labels come last and win. */
function withDefaultLabels(labels: string[], facts: PlanFacts): string[] {
  const given = new Set(labels.map((label) => label.split("=", 1)[0]));
  const defaults: string[] = [];
  if (facts.sourceUrl && !given.has(OCI_SOURCE)) defaults.push(`${OCI_SOURCE}=${facts.sourceUrl}`);
  if (facts.revision && !given.has(OCI_REVISION)) defaults.push(`${OCI_REVISION}=${facts.revision}`);
  if (!given.has(OCI_CREATED)) defaults.push(`${OCI_CREATED}=${facts.now.toISOString()}`);
  return [...defaults, ...labels];
}

export type Builder = "buildx" | "docker";

/** docker's argv for the build. buildx pushes as it builds; the classic builder builds here and pushes after. */
export function buildCommand(plan: BuildPushPlan, builder: Builder, metadataFile: string): string[] {
  const args = builder === "buildx" ? ["buildx", "build"] : ["build"];
  if (plan.file) args.push("--file", plan.file);
  for (const ref of plan.tagRefs) args.push("--tag", ref);
  for (const label of plan.labels) args.push("--label", label);
  for (const arg of plan.buildArgs) args.push("--build-arg", arg);
  if (plan.platforms.length > 0) args.push("--platform", plan.platforms.join(","));
  if (builder === "buildx") {
    args.push("--metadata-file", metadataFile, "--provenance=false");
    args.push(plan.push ? "--push" : "--load");
  }
  args.push(plan.context);
  return args;
}

export function builderProblem(plan: BuildPushPlan, builder: Builder): string | undefined {
  if (builder === "docker" && plan.platforms.length > 1) {
    return `input "platforms" lists ${plan.platforms.length} platforms, which needs docker buildx, and buildx is not installed on this runner.`;
  }
  return undefined;
}

const DIGEST = /digest: (sha256:[a-f0-9]{64})/;

/** The manifest digest `docker push` reports ("<tag>: digest: sha256:… size: N"). */
export function digestFromPushOutput(output: string): string | undefined {
  return DIGEST.exec(output)?.[1];
}

/** The manifest digest buildx writes to --metadata-file. */
export function digestFromMetadata(json: string): string | undefined {
  try {
    const data = JSON.parse(json) as Record<string, unknown>;
    const digest = data["containerimage.digest"];
    return typeof digest === "string" && digest.startsWith("sha256:") ? digest : undefined;
  } catch {
    return undefined;
  }
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
