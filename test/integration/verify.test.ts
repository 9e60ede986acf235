import { execFile as execFileCb } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Cluster,
  faults,
  getJson,
  skipWithoutCluster,
  startCluster,
  waitUntil,
} from "../harness/cluster";
import { ROOT, runCli } from "../harness/run";

const execFile = promisify(execFileCb);
const skip = skipWithoutCluster();
const NODE = "joelclaw-controlplane-1";
const CONTROL = "http://127.0.0.1:18999/endpoints";

interface Report {
  ok: boolean;
  findings: Array<{ id: string; severity: string; resource: string; message: string; hint: string }>;
}

describe.skipIf(skip)("verify on the sandbox (npm run sandbox)", () => {
  let cluster: Cluster;
  let home: string;

  beforeAll(async () => {
    cluster = await startCluster();
    await execFile("bash", [join(ROOT, "scripts", "sandbox", "up.sh")], { timeout: 300_000 });
    home = await mkdtemp(join(tmpdir(), "verify-home-"));
  });

  async function verify(
    extraEnv: NodeJS.ProcessEnv = {},
    args: string[] = [],
  ): Promise<{ code: number | null; report: Report; stderr: string }> {
    const r = await runCli(
      ["verify", "--config", join(ROOT, "examples", "joelclaw.cluster.yaml"), "--json", ...args],
      {
        env: {
          PATH: `${dirname(cluster.kubectlPath)}:${process.env.PATH}`,
          HOME: home,
          KUBECONFIG: cluster.kubeconfig,
          RUNNER_TEMP: home,
          ...extraEnv,
        },
      },
    );
    return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  }
  const ids = (report: Report) =>
    report.findings.filter((f) => f.severity !== "info").map((f) => `${f.severity} ${f.id} ${f.resource}`);

  it("is healthy on the sandbox: only the true policy warnings, every service answering", async () => {
    const { code, report, stderr } = await verify();
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.findings.filter((f) => f.severity === "critical")).toEqual([]);
    expect(report.findings.filter((f) => f.id.startsWith("services."))).toEqual([]);
    expect(ids(report)).toContain("warning policy.probe-missing Deployment/joelclaw/bluesky-pds");
    expect(ids(report)).toContain(
      "warning policy.pv-reclaim-delete PersistentVolumeClaim/joelclaw/data-redis-0",
    );
    expect(stderr).toContain("verify: healthy");
    const written = JSON.parse(await readFile(join(home, "joelclaw-verify.json"), "utf8"));
    expect(written).toEqual(report);
  });

  it("turns red with the control-plane taint and a cordoned node", async () => {
    await faults.taintAndCordon(cluster, NODE);
    try {
      const { code, report } = await verify();
      expect(code).toBe(1);
      expect(ids(report)).toEqual(
        expect.arrayContaining([
          `critical cluster.control-plane-taint Node/${NODE}`,
          `critical cluster.node-cordoned Node/${NODE}`,
        ]),
      );
    } finally {
      await faults.untaintAndUncordon(cluster, NODE);
    }
  });

  it("tells a refused, a hanging and a wrong endpoint apart, all probed at once", async () => {
    await fetch(`${CONTROL}/8108`, { method: "PUT", body: "down" });
    await fetch(`${CONTROL}/8288`, { method: "PUT", body: "hang" });
    await fetch(`${CONTROL}/7880`, { method: "PUT", body: "wrong" });
    try {
      const started = Date.now();
      const { code, report } = await verify();
      const elapsed = Date.now() - started;
      expect(code).toBe(1);
      expect(ids(report)).toEqual(
        expect.arrayContaining([
          "critical services.refused StatefulSet/joelclaw/typesense",
          "critical services.timeout StatefulSet/joelclaw/inngest",
          "critical services.wrong-status Deployment/joelclaw/livekit-server",
        ]),
      );
      // The hanging endpoint's 5 s timeout bounds the run: the probes run at once, not one after another.
      expect(elapsed).toBeLessThan(5_000 * 2);
    } finally {
      for (const port of [8108, 8288, 7880]) await fetch(`${CONTROL}/${port}`, { method: "PUT", body: "ok" });
    }
  });

  it("finds a crash-looping pod, a lost pod and a workload below its replicas", async () => {
    await cluster.kubectl(
      ["annotate", "pod", "typesense-0", "--overwrite", "sim.joelclaw.dev/fault=crashloop"],
      { namespace: "joelclaw" },
    );
    try {
      await waitUntil(
        "typesense crash-looping",
        async () => {
          const pod = await getJson(cluster, ["get", "pod", "typesense-0"], "joelclaw");
          return pod.status.containerStatuses?.[0]?.ready === false;
        },
        30_000,
      );
      const { report } = await verify();
      expect(ids(report)).toContain("critical cluster.workload-unavailable StatefulSet/joelclaw/typesense");
      expect(
        report.findings.some(
          (f) => f.id === "cluster.pod-failing" && f.resource === "Pod/joelclaw/typesense-0",
        ) || report.findings.some((f) => f.id === "cluster.workload-unavailable"),
      ).toBe(true);
    } finally {
      await cluster.kubectl(["annotate", "pod", "typesense-0", "sim.joelclaw.dev/fault-"], {
        namespace: "joelclaw",
      });
    }
    await faults.markPodsLost(cluster, "joelclaw", "app.kubernetes.io/name=livekit-server");
    const lost = await verify();
    expect(ids(lost.report)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^critical cluster\.pod-lost Pod\/joelclaw\/livekit-server-/),
      ]),
    );
    const pods = await getJson(
      cluster,
      ["get", "pods", "-l", "app.kubernetes.io/name=livekit-server"],
      "joelclaw",
    );
    for (const p of pods.items) {
      if (p.metadata.deletionTimestamp)
        await cluster.kubectl(["delete", "pod", p.metadata.name, "--grace-period=0", "--force"], {
          namespace: "joelclaw",
        });
    }
    await cluster.kubectl(["rollout", "status", "deployment/livekit-server", "--timeout=60s"], {
      namespace: "joelclaw",
    });
  });

  it("finds the PDS NodePort trap, and flannel down", async () => {
    await cluster.kubectl(
      [
        "patch",
        "service",
        "bluesky-pds",
        "--type=json",
        "-p",
        '[{"op":"replace","path":"/spec/ports/0/nodePort","value":9627}]',
      ],
      { namespace: "joelclaw" },
    );
    await faults.crashFlannel(cluster);
    try {
      await waitUntil(
        "flannel down",
        async () =>
          ((await getJson(cluster, ["get", "daemonset", "kube-flannel"], "kube-system")).status
            .numberAvailable ?? 0) === 0 || undefined,
        30_000,
      );
      const { report } = await verify();
      expect(ids(report)).toEqual(
        expect.arrayContaining([
          "critical policy.nodeport-mismatch Service/joelclaw/bluesky-pds",
          "critical cluster.flannel-unavailable DaemonSet/kube-system/kube-flannel",
        ]),
      );
    } finally {
      await cluster.kubectl(
        [
          "patch",
          "service",
          "bluesky-pds",
          "--type=json",
          "-p",
          '[{"op":"replace","path":"/spec/ports/0/nodePort","value":3000}]',
        ],
        { namespace: "joelclaw" },
      );
      await faults.crashFlannel(cluster, false);
    }
  });

  it("checks the host: the launchd plist's PATH and the Colima VM's disk", async () => {
    const agents = join(home, "Library", "LaunchAgents");
    await mkdir(agents, { recursive: true });
    await writeFile(
      join(agents, "com.joel.k8s-reboot-heal.plist"),
      "<plist><dict><key>EnvironmentVariables</key><dict><key>PATH</key><string>/usr/bin:/bin</string></dict></dict></plist>",
    );
    // colima cannot run on Linux: a small stand-in answers `colima ssh -- df -P /` as the VM would.
    const bin = join(home, "bin");
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, "colima"),
      "#!/bin/sh\necho 'Filesystem 1024-blocks Used Available Capacity Mounted on'\necho '/dev/vda1 19000000 17100000 1900000 91% /'\n",
    );
    await chmod(join(bin, "colima"), 0o755);
    const { report } = await verify({ PATH: `${bin}:${dirname(cluster.kubectlPath)}:${process.env.PATH}` });
    expect(ids(report)).toEqual(
      expect.arrayContaining([
        "critical host.launchd-path host/launchd/com.joel.k8s-reboot-heal.plist",
        "warning host.colima-disk host/colima/default",
      ]),
    );
  });

  it("rejects a report file it cannot write, naming the input, exit 2", async () => {
    const { code, stderr } = await verify({}, ["--report-file", "/nonexistent/dir/report.json"]).catch(
      () => ({ code: -1, stderr: "" }),
    );
    expect(code).toBe(2);
    expect(stderr).toContain('input "report-file": cannot write /nonexistent/dir/report.json');
  });

  it("rejects a bad cluster file with the field's path, exit 2", async () => {
    const file = join(home, "bad.cluster.yaml");
    await writeFile(file, "cluster: {namespace: joelclaw, singleNode: maybe}\n");
    const r = await runCli(["verify", "--config", file], {
      env: { PATH: process.env.PATH, KUBECONFIG: cluster.kubeconfig },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cluster.singleNode");
  });
});
