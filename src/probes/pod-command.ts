import { randomBytes } from "node:crypto";
import type { KubeClient, KubeObject } from "../kube/client";
import { ListWatch } from "../kube/watch";
import type { ProbeOutcome } from "./http";

export interface PodCommandProbe {
  namespace: string;
  image: string;
  command: string[];
  /** The pod's output must contain this text. */
  expectOutput?: string;
  timeoutMs: number;
}

/** "cmd arg arg" or a JSON array, as the command of the probe pod. Pure; undefined when unusable. */
export function parseCommand(text: string): string[] | undefined {
  const t = text.trim();
  if (t.startsWith("[")) {
    try {
      const parsed = JSON.parse(t) as unknown;
      return Array.isArray(parsed) && parsed.length > 0 && parsed.every((p) => typeof p === "string")
        ? parsed
        : undefined;
    } catch {
      return undefined;
    }
  }
  const parts = t.split(/\s+/).filter(Boolean);
  return parts.length > 0 ? parts : undefined;
}

/** Pure: the verdict on a finished probe pod and its output. */
export function judgePodRun(
  probe: PodCommandProbe,
  pod: KubeObject | undefined,
  output: string,
): ProbeOutcome {
  const what = `\`${probe.command.join(" ")}\` in a new ${probe.image} pod`;
  const phase = pod?.status?.phase;
  if (phase !== "Succeeded") {
    const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;
    const waiting = pod?.status?.containerStatuses?.[0]?.state?.waiting;
    const why = terminated
      ? `exit code ${terminated.exitCode}`
      : waiting?.reason
        ? waiting.reason
        : `phase ${phase ?? "unknown"}`;
    return {
      ok: false,
      kind: phase === "Failed" ? "wrong-status" : "timeout",
      detail: `${what} did not succeed (${why})`,
    };
  }
  if (probe.expectOutput !== undefined && !output.includes(probe.expectOutput)) {
    return {
      ok: false,
      kind: "wrong-body",
      detail: `${what} printed no "${probe.expectOutput}": ${output.trim().slice(-200)}`,
    };
  }
  return {
    ok: true,
    detail: `${what} succeeded${probe.expectOutput ? ` and printed "${probe.expectOutput}"` : ""}`,
  };
}

/** Runs the command in a fresh pod (restartPolicy Never), watches it finish, reads its output, deletes it. */
export async function probePodCommand(client: KubeClient, probe: PodCommandProbe): Promise<ProbeOutcome> {
  const name = `joelclaw-probe-${randomBytes(4).toString("hex")}`;
  const base = `/api/v1/namespaces/${probe.namespace}/pods`;
  await client.request("POST", base, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      labels: { "app.kubernetes.io/managed-by": "joelclaw-k8s", "joelclaw.dev/probe": "true" },
    },
    spec: {
      restartPolicy: "Never",
      containers: [{ name: "probe", image: probe.image, command: probe.command }],
    },
  });
  const controller = new AbortController();
  try {
    const finished = await new Promise<KubeObject | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(watch.objects.get(name)), probe.timeoutMs);
      const watch: ListWatch = new ListWatch(client, {
        collection: base,
        fieldSelector: `metadata.name=${name}`,
        onChange: () => {
          const pod = watch.objects.get(name);
          if (pod && ["Succeeded", "Failed"].includes(pod.status?.phase)) {
            clearTimeout(timer);
            resolve(pod);
          }
        },
      });
      void watch.run(controller.signal);
    });
    const output = finished ? await client.requestText("GET", `${base}/${name}/log`).catch(() => "") : "";
    return judgePodRun(probe, finished, output);
  } finally {
    controller.abort();
    await client.request("DELETE", `${base}/${name}?gracePeriodSeconds=0`).catch(() => undefined);
  }
}
