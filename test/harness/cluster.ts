import { execFile as execFileCb, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { test } from "vitest";
import { skipWithout } from "./docker";
import { ROOT } from "./run";

const execFile = promisify(execFileCb);
const CLUSTER_SCRIPTS = join(ROOT, "scripts", "cluster");

/**
 * The local control plane (scripts/cluster): started once per test run, or reused when already up.
 * Outside CI it is started only when the binaries are already built (a cold build takes ~20 min).
 */
export interface Cluster {
  kubeconfig: string;
  /** The kubectl built with the control plane. */
  kubectlPath: string;
  kubectl(
    args: string[],
    options?: { input?: string; namespace?: string; timeoutMs?: number },
  ): Promise<string>;
}

export function binariesBuilt(): boolean {
  try {
    const dir = execFileSync("bash", [join(ROOT, "scripts", "k8s", "build.sh")], {
      encoding: "utf8",
      env: { ...process.env, JOELCLAW_K8S_WARM_ONLY: "1" },
      stdio: ["ignore", "pipe", "ignore"],
    })
      .trim()
      .split("\n")
      .pop();
    return Boolean(dir && existsSync(join(dir, "kube-apiserver")));
  } catch {
    return false;
  }
}

/** For describe.skipIf: true (skip) outside CI when the binaries are not built; CI fails instead. */
export function skipWithoutCluster(): boolean {
  return skipWithout(
    "the local control plane (npm run k8s:build)",
    binariesBuilt() ? undefined : "the Kubernetes binaries are not built",
  );
}

let started: Promise<Cluster> | undefined;

export function startCluster(): Promise<Cluster> {
  started ??= (async () => {
    const { stdout } = await execFile("bash", [join(CLUSTER_SCRIPTS, "up.sh")], { maxBuffer: 1 << 24 });
    const kubeconfig = stdout.trim().split("\n").pop() as string;
    const bin = (await execFile("bash", [join(ROOT, "scripts", "k8s", "build.sh")])).stdout
      .trim()
      .split("\n")
      .pop() as string;
    const kubectlPath = join(bin, "kubectl");
    return {
      kubeconfig,
      kubectlPath,
      async kubectl(args, options = {}) {
        const full = [
          "--kubeconfig",
          kubeconfig,
          ...(options.namespace ? ["-n", options.namespace] : []),
          ...args,
        ];
        return new Promise((resolve, reject) => {
          const child = execFileCb(
            kubectlPath,
            full,
            { timeout: options.timeoutMs ?? 60_000, maxBuffer: 1 << 24 },
            (error, out, err) => {
              if (error) reject(new Error(`kubectl ${args.join(" ")} failed: ${err || error.message}`));
              else resolve(out);
            },
          );
          child.stdin?.end(options.input ?? "");
        });
      },
    };
  })();
  return started;
}

/** A fresh namespace for one test; delete it with the returned function. */
export async function testNamespace(
  cluster: Cluster,
  prefix = "t",
): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await cluster.kubectl(["create", "namespace", name]);
  // The namespace controller gives every namespace a default ServiceAccount; pods need it.
  await waitUntil(`serviceaccount default in ${name}`, async () => {
    await cluster.kubectl(["get", "serviceaccount", "default"], { namespace: name });
    return true;
  });
  return {
    name,
    remove: async () => void (await cluster.kubectl(["delete", "namespace", name, "--wait=false"])),
  };
}

export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | false | undefined>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== false && value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: kubectl's JSON, read by tests that assert on its shape
export async function getJson<T = Record<string, any>>(
  cluster: Cluster,
  args: string[],
  namespace?: string,
): Promise<T> {
  return JSON.parse(await cluster.kubectl([...args, "-o", "json"], { namespace })) as T;
}

/** Faults the tests (and the sandbox's documented faults) inject, each as the real cluster shows it. */
export const faults = {
  /** Stops, starts or restarts a control-plane process as cluster:up started it. */
  async component(
    action: "stop" | "start" | "restart",
    name: "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok" | "etcd",
  ) {
    await execFile("bash", [join(CLUSTER_SCRIPTS, "component.sh"), action, name], { timeout: 120_000 });
  },

  /** The node reports Ready=False (as when the runtime or network is down); false restores it. */
  async nodeNotReady(cluster: Cluster, node: string, on = true) {
    await cluster.kubectl([
      "annotate",
      "node",
      node,
      "--overwrite",
      on ? "sim.joelclaw.dev/fault=notready" : "sim.joelclaw.dev/fault-",
    ]);
  },

  /** What a Docker/Talos restart leaves: the control-plane NoSchedule taint back, and the node cordoned. */
  async taintAndCordon(cluster: Cluster, node: string) {
    await cluster.kubectl([
      "taint",
      "node",
      node,
      "node-role.kubernetes.io/control-plane:NoSchedule",
      "--overwrite",
    ]);
    await cluster.kubectl(["cordon", node]);
  },

  async untaintAndUncordon(cluster: Cluster, node: string) {
    await cluster
      .kubectl(["taint", "node", node, "node-role.kubernetes.io/control-plane:NoSchedule-"])
      .catch(() => "");
    await cluster.kubectl(["uncordon", node]);
  },

  /** The flannel pods crash-loop (the br_netfilter failure after a VM restart); false heals them. */
  async crashFlannel(cluster: Cluster, on = true) {
    await cluster.kubectl(
      [
        "annotate",
        "pods",
        "-l",
        "k8s-app=flannel",
        "--overwrite",
        on ? "sim.joelclaw.dev/fault=crashloop" : "sim.joelclaw.dev/fault-",
      ],
      { namespace: "kube-system" },
    );
  },

  /** The event the kubelet emits when flannel's subnet.env is missing, about a pod. */
  async flannelSandboxEvent(cluster: Cluster, namespace: string, pod: string) {
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const name = `${pod}.${randomBytes(6).toString("hex")}`;
    const message =
      'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "0f3c": plugin type="flannel" failed (add): failed to load flannel \'subnet.env\' file: open /run/flannel/subnet.env: no such file or directory. Check the flannel pod is running.';
    await cluster.kubectl(["apply", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace },
        involvedObject: { kind: "Pod", namespace, name: pod, apiVersion: "v1" },
        reason: "FailedCreatePodSandBox",
        message,
        type: "Warning",
        source: { component: "kubelet", host: "joelclaw-controlplane-1" },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      }),
    });
  },

  /** Pods the node lost: deletionTimestamp set and reason NodeLost, shown as Unknown until force-deleted. */
  async markPodsLost(cluster: Cluster, namespace: string, selector: string) {
    await cluster.kubectl(
      ["annotate", "pods", "-l", selector, "--overwrite", "sim.joelclaw.dev/fault=lost"],
      { namespace },
    );
    const pods = (await cluster.kubectl(["get", "pods", "-l", selector, "-o", "name"], { namespace }))
      .trim()
      .split("\n")
      .filter(Boolean);
    for (const pod of pods) {
      await cluster.kubectl(
        [
          "patch",
          pod,
          "--subresource=status",
          "--type=merge",
          "-p",
          JSON.stringify({
            status: {
              reason: "NodeLost",
              message: "Node joelclaw-controlplane-1 which was running pod is unresponsive",
            },
          }),
        ],
        { namespace },
      );
      await cluster.kubectl(["delete", pod, "--wait=false"], { namespace });
    }
  },
};

/**
 * `it` for tests on the local cluster: each test gets the cluster and a namespace of its own,
 * deleted when the test ends.
 */
export const clusterTest = test.extend<{ cluster: Cluster; ns: string }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take their dependencies by destructuring
  cluster: async ({}, use) => {
    await use(await startCluster());
  },
  ns: async ({ cluster }, use) => {
    const ns = await testNamespace(cluster);
    try {
      await use(ns.name);
    } finally {
      await ns.remove();
    }
  },
});
