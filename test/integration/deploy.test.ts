import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect } from "vitest";
import {
  type Cluster,
  faults,
  getJson,
  clusterTest as it,
  skipWithoutCluster,
  waitUntil,
} from "../harness/cluster";
import { type ProcessResult, ROOT, runCli } from "../harness/run";

const skip = skipWithoutCluster();
const NODE = "joelclaw-controlplane-1";

// biome-ignore lint/suspicious/noExplicitAny: kubectl's JSON in assertions
type Json = Record<string, any>;

async function deployCli(
  cluster: Cluster,
  ns: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ProcessResult & { doc: Json }> {
  const result = await runCli(
    ["deploy", "--kubeconfig", cluster.kubeconfig, "--namespace", ns, "--json", ...args],
    {
      // helm is built beside kubectl (scripts/k8s); the runner's PATH would have it from Homebrew.
      env: { PATH: `${dirname(cluster.kubectlPath)}:${process.env.PATH}`, HOME: process.env.HOME, ...env },
    },
  );
  let doc: Json = {};
  try {
    doc = JSON.parse(result.stdout);
  } catch {
    // asserted by the caller
  }
  return { ...result, doc };
}

const workloadManifest = (
  kind: "Deployment" | "StatefulSet" | "DaemonSet",
  name: string,
  image: string,
  extra: Json = {},
) => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name },
  spec: {
    ...(kind === "DaemonSet" ? {} : { replicas: 1 }),
    ...(kind === "StatefulSet" ? { serviceName: name } : {}),
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } },
    ...extra,
  },
});

async function create(cluster: Cluster, ns: string, manifest: Json, rollout = true): Promise<void> {
  await cluster.kubectl(["apply", "-f", "-"], { namespace: ns, input: JSON.stringify(manifest) });
  if (rollout)
    await cluster.kubectl(
      ["rollout", "status", `${manifest.kind.toLowerCase()}/${manifest.metadata.name}`, "--timeout=60s"],
      { namespace: ns },
    );
}

const template = async (cluster: Cluster, ns: string, ref: string) =>
  JSON.stringify((await getJson(cluster, ["get", ref], ns)).spec.template);

describe.skipIf(skip)("deploy on the real control plane", () => {
  it("rolls out a new image and reports it", async ({ cluster, ns }) => {
    await create(cluster, ns, workloadManifest("Deployment", "web", "registry.local/web:v1"));
    const r = await deployCli(
      cluster,
      ns,
      ["--workload", "deployment/web", "--image", "registry.local/web:v2"],
      {
        GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
        GITHUB_ACTOR: "joelhooks",
      },
    );
    expect(r.code).toBe(0);
    expect(r.doc.outputs).toMatchObject({
      result: "succeeded",
      "previous-image": "registry.local/web:v1",
      image: "registry.local/web:v2",
      revision: "2",
    });
    const d = await getJson(cluster, ["get", "deployment/web"], ns);
    expect(d.status.availableReplicas).toBe(1);
    expect(d.metadata.annotations["kubernetes.io/change-cause"]).toContain(
      "commit 0123456789ab, by joelhooks",
    );
  });

  it("says nothing changed, at once, when the image already runs", async ({ cluster, ns }) => {
    await create(cluster, ns, workloadManifest("Deployment", "same", "registry.local/web:v1"));
    const before = (await getJson(cluster, ["get", "deployment/same"], ns)).metadata.generation;
    const r = await deployCli(cluster, ns, [
      "--workload",
      "deployment/same",
      "--image",
      "registry.local/web:v1",
    ]);
    expect(r.code).toBe(0);
    expect(r.doc.outputs.reason).toContain("nothing changed");
    expect((await getJson(cluster, ["get", "deployment/same"], ns)).metadata.generation).toBe(before);
  });

  for (const [label, image, cause] of [
    ["crashloop", "registry.local/web:crashloop-1", /crashes on start \(exit code 1\)/],
    ["pullfail", "registry.local/web:pullfail-1", /cannot be pulled \((ErrImagePull|ImagePullBackOff)\)/],
  ] as const) {
    it(`detects a ${label} release in seconds, names the cause, and rolls back to the same template`, async ({
      cluster,
      ns,
    }) => {
      await create(cluster, ns, workloadManifest("Deployment", "bad", "registry.local/web:v1"));
      const before = await template(cluster, ns, "deployment/bad");
      const r = await deployCli(cluster, ns, [
        "--workload",
        "deployment/bad",
        "--image",
        image,
        "--timeout",
        "120s",
      ]);
      expect(r.code).toBe(1);
      expect(r.doc.ok).toBe(false);
      expect(r.doc.error.message).toMatch(cause);
      expect(r.stderr).toContain("the pod template equals the one before the deploy");
      expect(await template(cluster, ns, "deployment/bad")).toBe(before);
      const d = await getJson(cluster, ["get", "deployment/bad"], ns);
      expect(d.spec.template.spec.containers[0].image).toBe("registry.local/web:v1");
      expect(d.status.availableReplicas).toBe(1);
    });
  }

  it("rolls back an unready release when the timeout ends, and says it timed out", async ({
    cluster,
    ns,
  }) => {
    await create(cluster, ns, workloadManifest("Deployment", "slowpoke", "registry.local/web:v1"));
    const before = await template(cluster, ns, "deployment/slowpoke");
    const r = await deployCli(cluster, ns, [
      "--workload",
      "deployment/slowpoke",
      "--image",
      "registry.local/web:unready",
      "--timeout",
      "4s",
    ]);
    expect(r.code).toBe(1);
    expect(r.doc.error.message).toContain("timed out after 4 s");
    expect(await template(cluster, ns, "deployment/slowpoke")).toBe(before);
  });

  it("rolls out and rolls back a StatefulSet, deleting the pod OrderedReady would keep", async ({
    cluster,
    ns,
  }) => {
    await create(cluster, ns, workloadManifest("StatefulSet", "db", "redis:7.4"));
    const good = await deployCli(cluster, ns, ["--workload", "statefulset/db", "--image", "redis:7.4.1"]);
    expect(good.code).toBe(0);
    const before = await template(cluster, ns, "statefulset/db");
    const bad = await deployCli(cluster, ns, ["--workload", "statefulset/db", "--image", "redis:crashloop"]);
    expect(bad.code).toBe(1);
    expect(bad.doc.error.message).toMatch(/crashes on start/);
    expect(bad.stderr).toMatch(/deleted pod db-0 \(not Ready, at the failed revision\)/);
    expect(await template(cluster, ns, "statefulset/db")).toBe(before);
    const sts = await getJson(cluster, ["get", "statefulset/db"], ns);
    expect(sts.status.readyReplicas).toBe(1);
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
  });

  it("rolls out and rolls back a DaemonSet", async ({ cluster, ns }) => {
    await create(cluster, ns, workloadManifest("DaemonSet", "agent", "registry.local/agent:v1"));
    const good = await deployCli(cluster, ns, [
      "--workload",
      "daemonset/agent",
      "--image",
      "registry.local/agent:v2",
    ]);
    expect(good.code).toBe(0);
    const before = await template(cluster, ns, "daemonset/agent");
    const bad = await deployCli(cluster, ns, [
      "--workload",
      "daemonset/agent",
      "--image",
      "registry.local/agent:pullfail",
    ]);
    expect(bad.code).toBe(1);
    expect(bad.doc.error.message).toMatch(/cannot be pulled/);
    expect(await template(cluster, ns, "daemonset/agent")).toBe(before);
  });

  it("applies manifests server-side, creating the workload, then waits for it", async ({ cluster, ns }) => {
    const dir = await mkdtemp(join(tmpdir(), "manifests-"));
    await writeFile(
      join(dir, "app.yaml"),
      `${JSON.stringify(workloadManifest("Deployment", "fresh", "registry.local/fresh:v1"))}\n`,
    );
    const r = await deployCli(cluster, ns, ["--workload", "deployment/fresh", "--manifests", dir]);
    expect(r.code).toBe(0);
    const d = await getJson(cluster, ["get", "deployment/fresh", "--show-managed-fields"], ns);
    expect(d.metadata.managedFields.map((f: Json) => f.manager)).toContain("joelclaw-k8s");
    expect(d.metadata.annotations["kubernetes.io/change-cause"]).toContain("joelclaw-k8s deploy");
    expect(d.status.availableReplicas).toBe(1);
  });

  it("fails an unschedulable release (the control-plane taint is back) and points to heal", async ({
    cluster,
    ns,
  }) => {
    await create(cluster, ns, workloadManifest("Deployment", "blocked", "registry.local/web:v1"));
    await faults.taintAndCordon(cluster, NODE);
    try {
      const r = await deployCli(cluster, ns, [
        "--workload",
        "deployment/blocked",
        "--image",
        "registry.local/web:v2",
        "--unschedulable-grace",
        "1s",
      ]);
      expect(r.code).toBe(1);
      expect(r.doc.error.message).toMatch(/cannot be scheduled/);
      expect(r.doc.error.hint).toMatch(/heal/);
    } finally {
      await faults.untaintAndUncordon(cluster, NODE);
    }
  });

  it("survives an API server restart mid-rollout and still gives the right verdict", async ({
    cluster,
    ns,
  }) => {
    await create(cluster, ns, workloadManifest("Deployment", "steady", "registry.local/web:v1"));
    // The old workflow's 240 s: the controllers back off while the API server is away (client-go's
    // per-item exponential retry), so the rollout may resume well after the restart.
    const running = deployCli(cluster, ns, [
      "--workload",
      "deployment/steady",
      "--image",
      "registry.local/web:slow-2",
      "--timeout",
      "240s",
    ]);
    let finished = false;
    void running.then(() => {
      finished = true;
    });
    // Restart while the new pod exists and is not yet Ready (slow: Ready after 5 s).
    await waitUntil(
      "the new pod",
      async () => {
        const pods = (await getJson(cluster, ["get", "pods", "-l", "app=steady"], ns)).items as Json[];
        return pods.some((p) => p.spec.containers[0].image === "registry.local/web:slow-2");
      },
      30_000,
      100,
    );
    expect(finished).toBe(false);
    await faults.component("restart", "kube-apiserver");
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.doc.outputs.result).toBe("succeeded");
    expect((await getJson(cluster, ["get", "deployment/steady"], ns)).status.updatedReplicas).toBe(1);
  });

  it("rolls back when the health probe fails after the rollout, and passes a healthy probe", async ({
    cluster,
    ns,
  }) => {
    let healthy = true;
    const server: Server = createServer((_req, res) => {
      res.writeHead(healthy ? 200 : 500);
      res.end(healthy ? '{"ok":true}' : "broken");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    try {
      await create(cluster, ns, workloadManifest("Deployment", "probed", "registry.local/web:v1"));
      const ok = await deployCli(cluster, ns, [
        "--workload",
        "deployment/probed",
        "--image",
        "registry.local/web:v2",
        "--probe-url",
        url,
        "--probe-body",
        '"ok":true',
      ]);
      expect(ok.code).toBe(0);
      expect(ok.stderr).toContain("health probe ok");
      healthy = false;
      const before = await template(cluster, ns, "deployment/probed");
      const bad = await deployCli(cluster, ns, [
        "--workload",
        "deployment/probed",
        "--image",
        "registry.local/web:v3",
        "--probe-url",
        url,
        "--probe-timeout",
        "2s",
      ]);
      expect(bad.code).toBe(1);
      expect(bad.doc.error.message).toContain("the health probe failed");
      expect(await template(cluster, ns, "deployment/probed")).toBe(before);
    } finally {
      server.close();
    }
  });

  it("upgrades a Helm release, re-applies the PDS NodePort patch idempotently, and rolls back with helm rollback", async ({
    cluster,
    ns,
  }) => {
    const chart = join(ROOT, "test", "fixtures", "charts", "pds");
    // NodePorts are cluster-wide, so this test's pair is its own: the chart's (wrong) default, and the
    // patch that puts the right one back, as the PDS patch puts 3000 back over 9627.
    const wanted = 20_000 + Math.floor(Math.random() * 5_000);
    const patches = join(await mkdtemp(join(tmpdir(), "patches-")), "pds-patches.yaml");
    await writeFile(
      patches,
      (await readFile(join(ROOT, "test", "fixtures", "pds-patches.yaml"), "utf8")).replace(
        "value: 3000",
        `value: ${wanted}`,
      ),
    );
    const release = (tag: string) => [
      "--workload",
      "deployment/bluesky-pds",
      "--helm-release",
      "bluesky-pds",
      "--helm-chart",
      chart,
      "--helm-set",
      `image.tag=${tag}\nservice.nodePort=${wanted + 5_000}`,
      "--patches",
      patches,
    ];
    const nodePort = async () =>
      (await getJson(cluster, ["get", "service/bluesky-pds"], ns)).spec.ports[0].nodePort;

    const install = await deployCli(cluster, ns, release("0.4"));
    expect(install.stderr).toContain("first install");
    expect(install.code).toBe(0);
    expect(await nodePort()).toBe(wanted);

    const upgrade = await deployCli(cluster, ns, release("0.4.1"));
    expect(upgrade.code).toBe(0);
    expect(upgrade.doc.outputs.image).toBe("ghcr.io/bluesky-social/pds:0.4.1");
    expect(await nodePort()).toBe(wanted);

    const again = await deployCli(cluster, ns, release("0.4.1"));
    expect(again.code).toBe(0);
    expect(again.doc.outputs.reason).toContain("nothing changed");
    expect(await nodePort()).toBe(wanted);

    const before = await template(cluster, ns, "deployment/bluesky-pds");
    const bad = await deployCli(cluster, ns, release("crashloop"));
    expect(bad.code).toBe(1);
    expect(bad.doc.error.message).toMatch(/crashes on start/);
    expect(bad.stderr).toMatch(/helm rollback bluesky-pds \d+/);
    expect(await template(cluster, ns, "deployment/bluesky-pds")).toBe(before);
    expect(await nodePort()).toBe(wanted);
  });

  it("probes with a command in a new pod after the rollout, and rolls back when its output is wrong", async ({
    cluster,
    ns,
  }) => {
    await create(cluster, ns, workloadManifest("Deployment", "cache", "redis:7.4"));
    // A simulated pod prints the harness's container log (scripts/cluster/sim-container-log.cri).
    const ok = await deployCli(cluster, ns, [
      "--workload",
      "deployment/cache",
      "--image",
      "redis:7.4.1",
      "--probe-command",
      "redis-cli ping",
      "--probe-output",
      "sim: listening",
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain("`redis-cli ping` in a new redis:7.4.1 pod succeeded");
    const before = await template(cluster, ns, "deployment/cache");
    const bad = await deployCli(cluster, ns, [
      "--workload",
      "deployment/cache",
      "--image",
      "redis:7.4.2",
      "--probe-command",
      '["redis-cli","ping"]',
      "--probe-output",
      "PONG-NEVER",
    ]);
    expect(bad.code).toBe(1);
    expect(bad.doc.error.message).toContain('printed no "PONG-NEVER"');
    expect(await template(cluster, ns, "deployment/cache")).toBe(before);
    const probes = await getJson(cluster, ["get", "pods", "-l", "joelclaw.dev/probe=true"], ns);
    expect(probes.items.filter((p: Json) => !p.metadata.deletionTimestamp)).toEqual([]);
  });

  it("refuses a paused Deployment instead of waiting forever", async ({ cluster, ns }) => {
    await create(
      cluster,
      ns,
      workloadManifest("Deployment", "paused", "registry.local/web:v1", { paused: true }),
      false,
    );
    const r = await deployCli(cluster, ns, [
      "--workload",
      "deployment/paused",
      "--image",
      "registry.local/web:v2",
    ]);
    expect(r.code).toBe(1);
    expect(r.doc.error.message).toContain("is paused");
    expect(
      (await getJson(cluster, ["get", "deployment/paused"], ns)).spec.template.spec.containers[0].image,
    ).toBe("registry.local/web:v1");
  });

  for (const [args, message] of [
    [
      ["--workload", "deployment/nope", "--image", "registry.local/web:v2"],
      'input "workload": deployment/nope',
    ],
    [
      ["--workload", "deployment/target", "--container", "sidecar", "--image", "registry.local/web:v2"],
      'has no container "sidecar"',
    ],
    [["--workload", "deployment/target", "--image", "Registry.local/Web:v2"], "--image: must be lowercase"],
    [
      ["--workload", "deployment/target", "--image", "registry.local/web:v2", "--timeout", "soon"],
      '--timeout: must be a duration such as "90s"',
    ],
    [["--workload", "pod/target", "--image", "registry.local/web:v2"], "--workload: must be deployment/NAME"],
    [
      ["--workload", "deployment/target", "--manifests", "/nonexistent/dir"],
      'input "manifests": /nonexistent/dir does not exist',
    ],
  ] as const) {
    it(`exits 2 on bad input ${JSON.stringify(args)} and leaves the cluster untouched`, async ({
      cluster,
      ns,
    }) => {
      await create(cluster, ns, workloadManifest("Deployment", "target", "registry.local/web:v1"));
      const before = (await getJson(cluster, ["get", "deployment/target"], ns)).metadata.resourceVersion;
      const r = await deployCli(cluster, ns, [...args]);
      expect(r.code).toBe(2);
      expect(r.doc.error.message).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect((await getJson(cluster, ["get", "deployment/target"], ns)).metadata.resourceVersion).toBe(
        before,
      );
    });
  }
});
