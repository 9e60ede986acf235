import { z } from "zod";
import { badInput, failure } from "../errors";
import { booleanInput, durationInput, listInput, refineWith } from "../inputs/parse";
import { applyManifests, type Manifest, RestMapper, readManifests } from "../kube/apply";
import { KubeClient, type KubeObject } from "../kube/client";
import { type Evidence, gatherEvidence } from "../kube/evidence";
import { type HelmCli, helmRevision, helmRollback, helmUpgrade } from "../kube/helm";
import { kubeconfigPath, loadKubeTarget } from "../kube/kubeconfig";
import { applyPatches, readPatches } from "../kube/patches";
import { DEFAULT_POLICY, explainFailure, isReady } from "../kube/pods";
import { unwatchableReason, type WorkloadKind } from "../kube/rollout";
import { type TimelineEntry, type WaitResult, waitForRollout } from "../kube/wait";
import {
  canonicalJson,
  chooseContainer,
  describeRef,
  getWorkload,
  recordChangeCause,
  restoreTemplate,
  selectorOf,
  setImage,
  type WorkloadRef,
  workloadPath,
} from "../kube/workload";
import { probeHttp } from "../probes/http";
import { parseCommand, probePodCommand } from "../probes/pod-command";
import { imageRefProblem } from "../registry/reference";
import { readGitHubContext } from "../runtime/github-context";
import type { Runtime } from "../runtime/runtime";
import type { Command } from "./command";

const WORKLOAD = /^(deployment|statefulset|daemonset)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

export const deployInputs = z.object({
  kubeconfig: z.string().trim().optional(),
  context: z.string().trim().optional(),
  namespace: z.string().trim().optional(),
  workload: z
    .string({ error: 'is required: the workload as kind/name, e.g. "deployment/system-bus-worker"' })
    .trim()
    .transform((value, ctx) => {
      const [kind = "", ...rest] = value.split("/");
      const aliases: Record<string, string> = { deploy: "deployment", sts: "statefulset", ds: "daemonset" };
      const normalized = `${aliases[kind.toLowerCase()] ?? kind.toLowerCase()}/${rest.join("/")}`;
      const m = WORKLOAD.exec(normalized);
      if (!m) {
        ctx.addIssue({
          code: "custom",
          message: "must be deployment/NAME, statefulset/NAME or daemonset/NAME",
        });
        return z.NEVER;
      }
      return { kind: m[1] as WorkloadKind, name: m[2] as string };
    }),
  container: z.string().trim().optional(),
  image: z.string().trim().optional().superRefine(refineWith(imageRefProblem)),
  manifests: listInput({ separators: "lines" }),
  timeout: durationInput("5m", { minMs: 1_000, maxMs: 6 * 3_600_000 }),
  "fail-fast": booleanInput(true),
  "unschedulable-grace": durationInput("15s", { minMs: 0, maxMs: 3_600_000 }),
  rollback: booleanInput(true),
  "probe-url": z
    .string()
    .trim()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined && !/^https?:\/\/[^\s]+$/.test(value))
        ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
    }),
  "probe-status": z
    .string()
    .optional()
    .transform((value, ctx) => {
      const n = Number(value ?? "200");
      if (!Number.isInteger(n) || n < 100 || n > 599) {
        ctx.addIssue({ code: "custom", message: "must be an HTTP status code (100-599)" });
        return z.NEVER;
      }
      return n;
    }),
  "probe-body": z.string().optional(),
  "probe-timeout": durationInput("30s", { minMs: 1_000, maxMs: 600_000 }),
  "probe-command": z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const command = parseCommand(value);
      if (!command) {
        ctx.addIssue({
          code: "custom",
          message: 'must be a command such as "redis-cli ping" or a JSON array',
        });
        return z.NEVER;
      }
      return command;
    }),
  "probe-image": z.string().trim().optional().superRefine(refineWith(imageRefProblem)),
  "probe-output": z.string().optional(),
  "rollback-on-probe-failure": booleanInput(true),
  "change-cause": z.string().trim().optional(),
  "helm-release": z
    .string()
    .trim()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value))
        ctx.addIssue({
          code: "custom",
          message: "must be a Helm release name (lowercase letters, digits, -)",
        });
    }),
  "helm-chart": z.string().trim().optional(),
  "helm-version": z.string().trim().optional(),
  "helm-values": listInput({ separators: "lines" }),
  "helm-set": listInput({ separators: "lines" }).superRefine((items, ctx) => {
    const bad = items.find((item) => !/^[^=\s]+=/.test(item));
    if (bad !== undefined)
      ctx.addIssue({ code: "custom", message: `each must be key=value on its own line; "${bad}" is not` });
  }),
  patches: z.string().trim().optional(),
});

export type DeployInputs = z.output<typeof deployInputs>;
type Result = "succeeded" | "failed" | "rolled-back";

export const deploy: Command<typeof deployInputs> = {
  name: "deploy",
  description: "Roll out a workload (image, manifests), fail fast on broken pods, roll back, probe health",
  inputs: deployInputs,
  secretInputs: [],

  async run(inputs, rt) {
    const started = Date.now();
    const helmRelease = inputs["helm-release"];
    if (!inputs.image && inputs.manifests.length === 0 && !helmRelease) {
      throw badInput('Nothing to deploy: give input "image", "manifests" or "helm-release".');
    }
    if (helmRelease && !inputs["helm-chart"])
      throw badInput(
        'input "helm-chart" is required with input "helm-release".',
        'e.g. "nerkho/bluesky-pds" or a chart directory.',
      );
    if (
      !helmRelease &&
      (inputs["helm-chart"] || inputs["helm-values"].length > 0 || inputs["helm-set"].length > 0)
    ) {
      throw badInput('input "helm-release" is required with the helm-* inputs.');
    }
    if (helmRelease && inputs.image) {
      throw badInput(
        'input "image" cannot be used with a Helm release: the chart owns the image.',
        'Set it through "helm-set", e.g. image.tag=abc123.',
      );
    }
    const kubeconfigFile = kubeconfigPath(inputs.kubeconfig, rt.env);
    const target = await loadKubeTarget(kubeconfigFile, inputs.context, rt.env);
    const client = new KubeClient(target);
    try {
      const ref: WorkloadRef = {
        ...inputs.workload,
        namespace: inputs.namespace ?? target.namespace ?? "default",
      };
      return await runDeploy(inputs, rt, client, ref, started, kubeconfigFile);
    } finally {
      rt.debug(`Kubernetes API requests made: ${client.requests}`);
      client.close();
    }
  },
};

async function runDeploy(
  inputs: DeployInputs,
  rt: Runtime,
  client: KubeClient,
  ref: WorkloadRef,
  started: number,
  kubeconfigFile: string,
): Promise<void> {
  const timeline: TimelineEntry[] = [];
  const note = (text: string) => {
    timeline.push({ atMs: Date.now() - started, text });
    rt.info(text);
  };

  // Everything is checked before anything changes: a bad input leaves the cluster untouched.
  const manifests: Manifest[] = await readManifests(inputs.manifests);
  const mapper = new RestMapper(client);
  const paths = await Promise.all(manifests.map((m) => mapper.pathOf(m, ref.namespace)));
  const patches = await readPatches(inputs.patches);
  const release = inputs["helm-release"];
  const helmCli: HelmCli = {
    kubeconfig: kubeconfigFile,
    context: client.target.context,
    namespace: ref.namespace,
    env: rt.env,
    secrets: rt.secrets,
    log: (line) => rt.info(line),
  };
  const before = await getWorkload(client, ref).catch((error: Error) => {
    throw failure(
      `Cannot reach the Kubernetes API at ${client.target.server} (context ${client.target.context}): ${error.message}`,
      "Check the kubeconfig and that the cluster is up (heal recovers it after a reboot).",
    );
  });
  const inManifests = paths.includes(workloadPath(ref));
  if (!before && !inManifests && !release) {
    throw badInput(
      `input "workload": ${describeRef(ref)} does not exist.`,
      'Check the name and the input "namespace"; or include its manifest in "manifests" to create it.',
    );
  }
  let previousImage = firstImage(before);
  if (before) {
    const reason = unwatchableReason(ref.kind, before);
    if (reason) throw failure(reason);
    if (inputs.image) previousImage = chooseContainer(before, ref, inputs.container).image;
  }
  const beforeTemplate = before?.spec?.template;

  const gh = readGitHubContext(rt.env);
  const changeCause =
    inputs["change-cause"] ??
    [
      `joelclaw-k8s deploy${inputs.image ? ` ${inputs.image}` : ""}`,
      gh.sha && `commit ${gh.sha.slice(0, 12)}`,
      gh.actor && `by ${gh.actor}`,
      gh.runUrl,
    ]
      .filter(Boolean)
      .join(", ");

  // Apply, then set the image.
  let current = before;
  if (manifests.length > 0) {
    await rt.group(
      `Apply ${manifests.length} manifest object(s) (server-side, field manager joelclaw-k8s)`,
      async () => {
        await applyManifests(client, manifests, paths);
        for (const m of manifests) rt.info(`applied ${m.object.kind}/${m.object.metadata.name} (${m.file})`);
      },
    );
    current = await getWorkload(client, ref);
    if (!current) throw failure(`${describeRef(ref)} is missing after applying the manifests.`);
  }
  let helmPrevious: number | undefined;
  if (release) {
    helmPrevious = await helmRevision(helmCli, release);
    await rt.group(`helm upgrade --install ${release} ${inputs["helm-chart"]}`, () =>
      helmUpgrade(helmCli, release, {
        chart: inputs["helm-chart"] as string,
        version: inputs["helm-version"],
        values: inputs["helm-values"],
        set: inputs["helm-set"],
      }),
    );
    note(
      `helm release ${release} upgraded${helmPrevious ? ` from revision ${helmPrevious}` : " (first install)"}`,
    );
    current = await getWorkload(client, ref);
    if (!current)
      throw failure(
        `The chart ${inputs["helm-chart"]} did not create ${describeRef(ref)}.`,
        'Check the input "workload" against what the chart renders (helm template).',
      );
  }
  if (patches.length > 0) await applyPatches(client, patches, ref.namespace, note);
  if (!current) throw failure(`${describeRef(ref)} disappeared during the deploy.`);
  if (inputs.image) {
    const container = chooseContainer(current, ref, inputs.container);
    if (container.image !== inputs.image) {
      current = await setImage(client, ref, container.name, inputs.image, changeCause);
      note(
        `set ${ref.kind}/${ref.name} container ${container.name} image ${container.image} → ${inputs.image}`,
      );
    }
  }
  // Manifests and Helm change the template without set-image: record the cause for them too.
  if (
    current.metadata.annotations?.["kubernetes.io/change-cause"] !== changeCause &&
    (current.metadata.generation ?? 0) !== (before?.metadata.generation ?? -1)
  ) {
    await recordChangeCause(client, ref, changeCause);
  }

  // How the previous version comes back: Helm's own rollback (then the patches again), or the template.
  const restoreBy = async (why: string): Promise<number> => {
    if (release && helmPrevious !== undefined) {
      await helmRollback(helmCli, release, helmPrevious);
      note(`helm rollback ${release} ${helmPrevious}`);
      if (patches.length > 0) await applyPatches(client, patches, ref.namespace, note);
      return (await getWorkload(client, ref))?.metadata.generation ?? 0;
    }
    const restored = await restoreTemplate(
      client,
      ref,
      beforeTemplate,
      `joelclaw-k8s rollback: ${why}`.slice(0, 500),
    );
    return restored.metadata.generation ?? 0;
  };
  const canRollBack = Boolean(beforeTemplate) && (!release || helmPrevious !== undefined);

  const generation = current.metadata.generation ?? 0;
  const changed = !before || (before.metadata.generation ?? 0) !== generation;
  const image = inputs.image ?? firstImage(current) ?? "";
  const outputs = (result: Result, reason: string, revision = "") => {
    rt.setOutput("result", result);
    rt.setOutput("revision", revision);
    rt.setOutput("previous-image", previousImage ?? "");
    rt.setOutput("image", image);
    rt.setOutput("reason", reason);
    rt.setOutput("duration", ((Date.now() - started) / 1000).toFixed(1));
  };

  if (!changed) {
    const reason = `nothing changed: ${describeRef(ref)} already runs ${image}`;
    note(reason);
    outputs("succeeded", reason, revisionOf(current));
    rt.appendSummary(summary(ref, "succeeded", reason, previousImage, image, timeline, started));
    return;
  }

  const wait = await rt.group(`Roll out ${ref.kind}/${ref.name}`, () =>
    waitForRollout({
      client,
      ref,
      generation,
      timeoutMs: inputs.timeout,
      failFast: inputs["fail-fast"],
      policy: { ...DEFAULT_POLICY, unschedulableGraceMs: inputs["unschedulable-grace"] },
      onProgress: (line) => rt.info(line),
      onNotice: (line) => rt.warning(line),
    }),
  );
  for (const entry of wait.timeline)
    timeline.push({ atMs: entry.atMs + (Date.now() - started - wait.durationMs), text: entry.text });

  if (wait.outcome === "done") {
    note(`rolled out in ${(wait.durationMs / 1000).toFixed(1)} s`);
    const probe = await probeAfterRollout(inputs, rt, note, client, ref, image);
    if (probe === undefined) {
      outputs("succeeded", wait.message, wait.revision);
      rt.appendSummary(summary(ref, "succeeded", wait.message, previousImage, image, timeline, started));
      return;
    }
    if (!inputs["rollback-on-probe-failure"] || !inputs.rollback || !canRollBack) {
      outputs("failed", probe);
      rt.appendSummary(summary(ref, "failed", probe, previousImage, image, timeline, started));
      throw failure(
        `${describeRef(ref)} rolled out but the health probe failed: ${probe}`,
        "The release is live but unhealthy; roll back or fix forward.",
      );
    }
    await rollBack(client, ref, beforeTemplate, `health probe failed: ${probe}`, inputs, rt, note, restoreBy);
    outputs("rolled-back", `health probe failed: ${probe}`, wait.revision);
    rt.appendSummary(
      summary(ref, "rolled-back", `health probe failed: ${probe}`, previousImage, image, timeline, started),
    );
    throw failure(
      `${describeRef(ref)}: the health probe failed after the rollout (${probe}); rolled back to ${previousImage}.`,
      "Fix the release and deploy again.",
    );
  }

  // Failed or timed out: say why, then roll back.
  const explained = wait.failure
    ? explainFailure(wait.failure, inputs.image)
    : { cause: wait.message, hint: "See the rollout's progress above." };
  const evidence: Evidence = wait.failure
    ? await gatherEvidence(client, ref.namespace, wait.failure)
    : { events: [], logs: [] };
  rt.error(`${describeRef(ref)}: ${explained.cause}`);
  if (evidence.events.length > 0)
    rt.info(`Events of pod ${wait.failure?.pod}:\n  ${evidence.events.join("\n  ")}`);
  if (evidence.logs.length > 0)
    rt.info(`Last log lines of container ${wait.failure?.container}:\n  ${evidence.logs.join("\n  ")}`);

  const reason = wait.outcome === "timeout" ? `timeout: ${explained.cause}` : explained.cause;
  if (!inputs.rollback || !canRollBack) {
    outputs("failed", reason, wait.revision);
    rt.appendSummary(
      summary(ref, "failed", reason, previousImage, image, timeline, started, evidence, explained.hint),
    );
    throw failure(
      `${describeRef(ref)} failed to roll out: ${explained.cause}`,
      `${explained.hint}${!canRollBack ? " (There was no previous version to roll back to.)" : " (Rollback is off.)"}`,
    );
  }
  await rollBack(client, ref, beforeTemplate, reason, inputs, rt, note, restoreBy);
  outputs("rolled-back", reason, wait.revision);
  rt.appendSummary(
    summary(ref, "rolled-back", reason, previousImage, image, timeline, started, evidence, explained.hint),
  );
  throw failure(
    `${describeRef(ref)} failed to roll out and was rolled back to ${previousImage}: ${explained.cause}`,
    explained.hint,
  );
}

/** Restores the template from before the deploy, waits for it, and proves it is the same template. */
async function rollBack(
  client: KubeClient,
  ref: WorkloadRef,
  beforeTemplate: unknown,
  why: string,
  inputs: DeployInputs,
  rt: Runtime,
  note: (text: string) => void,
  restore: (why: string) => Promise<number>,
): Promise<void> {
  await rt.group(`Roll back ${ref.kind}/${ref.name}`, async () => {
    note(`rolling back: ${why}`);
    const generation = await restore(why);
    if (ref.kind === "statefulset") await deleteStuckStatefulSetPods(client, ref, generation, note);
    const wait: WaitResult = await waitForRollout({
      client,
      ref,
      generation,
      timeoutMs: Math.max(inputs.timeout, 60_000),
      failFast: true,
      onProgress: (line) => rt.info(line),
      onNotice: (line) => rt.warning(line),
    });
    if (wait.outcome !== "done") {
      throw failure(
        `The rollback of ${describeRef(ref)} did not complete: ${wait.message}`,
        "The cluster is in a mixed state: inspect it with kubectl and run heal or fix forward.",
      );
    }
    const now = await getWorkload(client, ref);
    if (canonicalJson(now?.spec?.template) !== canonicalJson(beforeTemplate)) {
      throw failure(
        `The rollback of ${describeRef(ref)} completed but its pod template differs from the one before the deploy.`,
      );
    }
    note(
      `rolled back in ${(wait.durationMs / 1000).toFixed(1)} s; the pod template equals the one before the deploy`,
    );
  });
}

/**
 * With OrderedReady, a StatefulSet never replaces a pod that is not Ready: after the template is restored,
 * pods still at another revision are deleted so the controller recreates them from the restored one.
 */
async function deleteStuckStatefulSetPods(
  client: KubeClient,
  ref: WorkloadRef,
  generation: number,
  note: (t: string) => void,
): Promise<void> {
  let sts: KubeObject | undefined;
  for (let i = 0; i < 100; i++) {
    sts = await getWorkload(client, ref);
    if ((sts?.status?.observedGeneration ?? 0) >= generation) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const revision = sts?.status?.updateRevision;
  const selector = sts ? selectorOf(sts) : "";
  if (!revision || !selector) return;
  const pods = await client.get<{ items: KubeObject[] }>(
    `/api/v1/namespaces/${ref.namespace}/pods?labelSelector=${encodeURIComponent(selector)}`,
  );
  for (const pod of pods.items) {
    if (pod.metadata.labels?.["controller-revision-hash"] !== revision && !isReady(pod)) {
      await client.request("DELETE", `/api/v1/namespaces/${ref.namespace}/pods/${pod.metadata.name}`);
      note(
        `deleted pod ${pod.metadata.name} (not Ready, at the failed revision) so the StatefulSet recreates it`,
      );
    }
  }
}

/** Undefined when healthy (or no probe configured), else what failed. */
async function probeAfterRollout(
  inputs: DeployInputs,
  rt: Runtime,
  note: (t: string) => void,
  client: KubeClient,
  ref: WorkloadRef,
  image: string,
): Promise<string | undefined> {
  const url = inputs["probe-url"];
  if (url) {
    const deadline = Date.now() + inputs["probe-timeout"];
    let last = "";
    for (;;) {
      const outcome = await probeHttp({
        url,
        status: inputs["probe-status"],
        bodyContains: inputs["probe-body"],
        timeoutMs: 5_000,
      });
      if (outcome.ok) {
        note(`health probe ok: ${outcome.detail}`);
        break;
      }
      if (outcome.detail !== last) rt.info(`health probe: ${outcome.detail}; retrying`);
      last = outcome.detail;
      if (Date.now() >= deadline) {
        note(`health probe failed: ${last}`);
        return last;
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  const command = inputs["probe-command"];
  if (command) {
    const outcome = await probePodCommand(client, {
      namespace: ref.namespace,
      image: inputs["probe-image"] ?? image,
      command,
      expectOutput: inputs["probe-output"],
      timeoutMs: inputs["probe-timeout"],
    });
    note(`health probe ${outcome.ok ? "ok" : "failed"}: ${outcome.detail}`);
    if (!outcome.ok) return outcome.detail;
  }
  return undefined;
}

function firstImage(obj: KubeObject | undefined): string | undefined {
  return obj?.spec?.template?.spec?.containers?.[0]?.image;
}

function revisionOf(obj: KubeObject): string {
  return obj.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? obj.status?.updateRevision ?? "";
}

function summary(
  ref: WorkloadRef,
  result: Result,
  reason: string,
  previousImage: string | undefined,
  image: string,
  timeline: TimelineEntry[],
  started: number,
  evidence?: Evidence,
  hint?: string,
): string {
  const icon = result === "succeeded" ? "✅" : result === "rolled-back" ? "↩️" : "❌";
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    `### ${icon} deploy ${ref.kind}/${ref.name}: ${result}`,
    "",
    "| | |",
    "|---|---|",
    `| Namespace | ${ref.namespace} |`,
    `| Image | \`${esc(image)}\` |`,
    `| Previous image | ${previousImage ? `\`${esc(previousImage)}\`` : "—"} |`,
    `| Reason | ${esc(reason)} |`,
    ...(hint && result !== "succeeded" ? [`| Fix | ${esc(hint)} |`] : []),
    `| Duration | ${((Date.now() - started) / 1000).toFixed(1)} s |`,
    "",
    "<details><summary>Timeline</summary>",
    "",
    "| t | event |",
    "|---|---|",
    ...timeline.map((e) => `| +${(e.atMs / 1000).toFixed(1)} s | ${esc(e.text)} |`),
    "",
    "</details>",
  ];
  if (evidence?.events.length)
    lines.push("", "**Events of the failing pod**", "", "```", ...evidence.events, "```");
  if (evidence?.logs.length) lines.push("", "**Last log lines**", "", "```", ...evidence.logs, "```");
  return `${lines.join("\n")}\n`;
}
