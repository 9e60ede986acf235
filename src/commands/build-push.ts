import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { badInput, failure } from "../errors";
import { execFile } from "../exec";
import { booleanInput, choiceInput, listInput, refineWith } from "../inputs/parse";
import type { RegistryContext } from "../registry/classify";
import {
  BUILD_TIMEOUT_MS,
  type DockerCli,
  dockerWithRetry,
  hasBuildx,
  PUSH_TIMEOUT_MS,
  requireDockerEngine,
} from "../registry/docker";
import {
  createPrivateDockerConfig,
  removePrivateDockerConfig,
  userDockerConfigDir,
} from "../registry/docker-config";
import { fetchGitHubUser, judgeGitHubUser } from "../registry/github-token";
import {
  type Builder,
  type BuildPushPlan,
  buildCommand,
  builderProblem,
  digestFromMetadata,
  digestFromPushOutput,
  planBuildPush,
} from "../registry/plan";
import { probePushAccess } from "../registry/push-probe";
import { GHCR, registryProblem, repositoryProblem, tagProblem } from "../registry/reference";
import { tokenKind } from "../registry/token";
import { type GitHubContext, readGitHubContext, remoteToHttps } from "../runtime/github-context";
import type { Runtime } from "../runtime/runtime";
import type { Command } from "./command";

const keyValueList = (what: string) =>
  listInput({ separators: "lines" }).superRefine((items, ctx) => {
    const bad = items.find((item) => !/^[^=\s]+=/.test(item));
    if (bad !== undefined)
      ctx.addIssue({
        code: "custom",
        message: `each ${what} must be KEY=VALUE on its own line; "${bad}" is not`,
      });
  });

export const buildPushInputs = z.object({
  registry: z.string().trim().default(GHCR).superRefine(refineWith(registryProblem)),
  image: z
    .string({ error: 'is required: the image as "owner/name", e.g. "joelhooks/system-bus-worker"' })
    .trim()
    .superRefine(refineWith(repositoryProblem)),
  context: z.string().trim().default("."),
  file: z.string().trim().optional(),
  tags: listInput({ separators: "lines-and-commas" }).superRefine((tags, ctx) => {
    for (const tag of tags) {
      const message = tagProblem(tag);
      if (message) ctx.addIssue({ code: "custom", message });
    }
  }),
  username: z.string().trim().optional(),
  password: z.string({
    error: "is required: a classic PAT with write:packages (for GHCR, the secret GHCR_PAT)",
  }),
  "build-args": keyValueList("build arg"),
  labels: keyValueList("label"),
  push: booleanInput(true),
  platforms: listInput({ separators: "lines-and-commas" }),
  "check-github-token": choiceInput(["auto", "true", "false"], "auto"),
});

export type BuildPushInputs = z.output<typeof buildPushInputs>;

const STATE_DOCKER_CONFIG = "docker-config";
const HTTP_TIMEOUT_MS = 15_000;

export const buildPush: Command<typeof buildPushInputs> = {
  name: "build-push",
  description: "Build an image and push it to GHCR (or any registry) with a classic PAT",
  inputs: buildPushInputs,
  secretInputs: [{ input: "password", env: "GHCR_PAT" }],

  async run(inputs, rt) {
    rt.setSecret(inputs.password);
    const gh = readGitHubContext(rt.env);
    const plan = planBuildPush(
      {
        registry: inputs.registry,
        image: inputs.image,
        context: inputs.context,
        file: inputs.file,
        tags: inputs.tags,
        username: inputs.username,
        buildArgs: inputs["build-args"],
        labels: inputs.labels,
        platforms: inputs.platforms,
        push: inputs.push,
      },
      {
        revision: gh.sha ?? (await gitHead(inputs.context)),
        actor: gh.actor,
        sourceUrl: await sourceUrl(gh, inputs.context),
        now: new Date(),
      },
    );
    rt.setSecret(Buffer.from(`${plan.username}:${inputs.password}`).toString("base64"));
    const ctx: RegistryContext = {
      registry: plan.registry,
      repository: plan.repository,
      username: plan.username,
      ghcr: plan.registry === GHCR || inputs["check-github-token"] === "true",
    };
    const timings: Array<[string, number]> = [];
    const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      try {
        return await rt.group(phase, fn);
      } finally {
        timings.push([phase, Date.now() - started]);
      }
    };

    await requireBuildFiles(plan);
    const credentialCheck = await timed("Credential check", () => checkCredential(inputs, plan, ctx, gh, rt));

    const configDir = await createPrivateDockerConfig({
      registry: plan.registry,
      username: plan.username,
      password: inputs.password,
      parentDir: gh.tempDir,
      userConfigDir: userDockerConfigDir(rt.env),
    });
    rt.saveState(STATE_DOCKER_CONFIG, configDir);
    try {
      const cli: DockerCli = {
        env: { ...rt.env, DOCKER_CONFIG: configDir },
        secrets: rt.secrets,
        log: (line) => rt.info(line),
      };
      await requireDockerEngine(cli);
      const builder: Builder = (await hasBuildx(cli)) ? "buildx" : "docker";
      const incompatible = builderProblem(plan, builder);
      if (incompatible)
        throw badInput(incompatible, "Install docker buildx on the runner, or build one platform at a time.");

      const metadataFile = join(configDir, "build-metadata.json");
      let digest = await timed(
        `Build (${builder === "buildx" ? "docker buildx" : "docker build"})`,
        async () => {
          await dockerWithRetry(cli, buildCommand(plan, builder, metadataFile), {
            timeoutMs: BUILD_TIMEOUT_MS,
            ctx,
            what: "The image build",
            otherwise: {
              message:
                "docker reported an error in the build itself (a Dockerfile step or the build context), not in the registry.",
              hint: 'Read the build output above; fix the Dockerfile (input "file") or the build context (input "context"), then run again.',
            },
          });
          if (builder !== "buildx" || !plan.push) return undefined;
          return digestFromMetadata(await readFile(metadataFile, "utf8").catch(() => ""));
        },
      );

      if (plan.push && builder === "docker") {
        digest = await timed("Push", () => pushTags(cli, plan, ctx));
      }
      if (plan.push && !digest)
        throw failure(`The push of ${plan.image} succeeded but no digest was reported.`);

      const imageRef = digest ? `${plan.image}@${digest}` : "";
      rt.setOutput("image", plan.image);
      rt.setOutput("tags", plan.tagRefs.join("\n"));
      rt.setOutput("digest", digest ?? "");
      rt.setOutput("image-ref", imageRef);
      rt.info(
        plan.push
          ? `Pushed ${plan.tagRefs.join(", ")}\nDigest: ${digest}`
          : `Built ${plan.tagRefs.join(", ")} (not pushed)`,
      );
      rt.appendSummary(summaryMarkdown(plan, digest, imageRef, credentialCheck, builder, timings));
    } finally {
      await removePrivateDockerConfig(configDir);
    }
  },

  async post(rt) {
    const dir = rt.getState(STATE_DOCKER_CONFIG);
    if (!dir) return;
    try {
      await removePrivateDockerConfig(dir);
      rt.info(`Removed the private DOCKER_CONFIG ${dir}`);
    } catch (error) {
      rt.warning(
        `Could not remove the private DOCKER_CONFIG ${dir}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  },
};

/** Refuses unusable tokens before any build, so a bad PAT fails in seconds. Returns what was checked. */
async function checkCredential(
  inputs: BuildPushInputs,
  plan: BuildPushPlan,
  ctx: RegistryContext,
  gh: GitHubContext,
  rt: Runtime,
): Promise<string[]> {
  const kind = tokenKind(inputs.password);
  if (kind === "fine-grained-pat" && ctx.ghcr) {
    throw badInput(
      'input "password" is a fine-grained personal access token (github_pat_…), and GHCR accepts only classic PATs.',
      "Create a classic PAT with write:packages (GitHub → Settings → Developer settings → Personal access tokens → Tokens (classic)) and store it as the secret GHCR_PAT and as the agent-secrets entry ghcr_pat.",
    );
  }
  const checked: string[] = [];
  const mode = inputs["check-github-token"];
  if (mode === "true" || (mode === "auto" && plan.registry === GHCR)) {
    if (kind === "actions-token") {
      checked.push(
        "GitHub API: an Actions GITHUB_TOKEN (no user scopes to check); the registry probe decides",
      );
    } else {
      const answer = await fetchGitHubUser(gh.apiUrl, inputs.password, HTTP_TIMEOUT_MS);
      const verdict = judgeGitHubUser(answer, { push: plan.push, now: new Date(), ctx });
      rt.info(verdict.summary);
      if (verdict.error) throw verdict.error;
      for (const warning of verdict.warnings) rt.warning(warning);
      checked.push(verdict.summary);
    }
  }
  const probe = await probePushAccess({
    ...ctx,
    password: inputs.password,
    push: plan.push,
    timeoutMs: HTTP_TIMEOUT_MS,
    onRetry: (m) => rt.info(m),
  });
  rt.info(probe.summary);
  checked.push(probe.summary);
  return checked;
}

/** Pushes every tag; all must land on the same manifest digest. */
async function pushTags(cli: DockerCli, plan: BuildPushPlan, ctx: RegistryContext): Promise<string> {
  const digests = new Set<string>();
  for (const ref of plan.tagRefs) {
    const { result } = await dockerWithRetry(cli, ["push", ref], {
      timeoutMs: PUSH_TIMEOUT_MS,
      ctx,
      what: `docker push ${ref}`,
    });
    const digest = digestFromPushOutput(result.stdout);
    if (!digest)
      throw failure(`docker push ${ref} succeeded but printed no digest:\n${result.stdout.slice(-500)}`);
    digests.add(digest);
  }
  if (digests.size !== 1)
    throw failure(`The tags of ${plan.image} were pushed with different digests: ${[...digests].join(", ")}`);
  return [...digests][0] as string;
}

/** A missing context or Dockerfile is bad input: said before any request or build. */
async function requireBuildFiles(plan: BuildPushPlan): Promise<void> {
  const context = await stat(plan.context).catch(() => undefined);
  if (!context?.isDirectory()) {
    throw badInput(
      `input "context": ${plan.context} is not a directory.`,
      "Give the build context directory, relative to the working directory.",
    );
  }
  const file = plan.file ?? join(plan.context, "Dockerfile");
  if (!(await stat(file).catch(() => undefined))?.isFile()) {
    throw badInput(
      `input "file": ${file} does not exist.`,
      plan.file
        ? "Give the Dockerfile's path."
        : 'The context has no Dockerfile: give its path in the input "file".',
    );
  }
}

async function gitHead(cwd: string): Promise<string | undefined> {
  const result = await execFile("git", ["rev-parse", "HEAD"], { cwd, timeoutMs: 10_000 });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

async function sourceUrl(gh: GitHubContext, cwd: string): Promise<string | undefined> {
  if (gh.repository) return `${gh.serverUrl}/${gh.repository}`;
  const result = await execFile("git", ["remote", "get-url", "origin"], { cwd, timeoutMs: 10_000 });
  return result.exitCode === 0 ? remoteToHttps(result.stdout) : undefined;
}

function summaryMarkdown(
  plan: BuildPushPlan,
  digest: string | undefined,
  imageRef: string,
  credentialCheck: string[],
  builder: Builder,
  timings: Array<[string, number]>,
): string {
  const rows: Array<[string, string]> = [
    ["Image", `\`${plan.image}\``],
    ["Tags", plan.tags.map((t) => `\`${t}\``).join(", ")],
    ["Digest", digest ? `\`${digest}\`` : plan.push ? "—" : "not pushed"],
    ["Image ref (for deploy)", imageRef ? `\`${imageRef}\`` : "—"],
    ["Credential check", credentialCheck.join("<br>")],
    ["Builder", builder === "buildx" ? "docker buildx" : "docker build"],
    ...timings.map(([phase, ms]): [string, string] => [`⏱ ${phase}`, `${(ms / 1000).toFixed(1)} s`]),
  ];
  return [
    "### build-push",
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, "\\|")} |`),
    "",
  ].join("\n");
}
