import { describe, expect } from "vitest";
import {
  type Cluster,
  faults,
  getJson,
  clusterTest as it,
  skipWithoutCluster,
  waitUntil,
} from "../harness/cluster";

const skip = skipWithoutCluster();
const NODE = "joelclaw-controlplane-1";

// biome-ignore lint/suspicious/noExplicitAny: kubectl's JSON, read by tests that assert on its shape
type Pod = { metadata: { name: string; deletionTimestamp?: string }; status: Record<string, any> };

describe.skipIf(skip)(
  "the local control plane (real apiserver, controllers, scheduler; KWOK kubelet)",
  () => {
    const deploy = (
      cluster: Cluster,
      ns: string,
      name: string,
      image: string,
      extra: Record<string, unknown> = {},
    ) =>
      cluster.kubectl(["apply", "-f", "-"], {
        namespace: ns,
        input: JSON.stringify({
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name }, ...extra },
              spec: { containers: [{ name: "app", image }] },
            },
          },
        }),
      });
    const podsOf = async (cluster: Cluster, ns: string, app: string) =>
      (await getJson<{ items: Pod[] }>(cluster, ["get", "pods", "-l", `app=${app}`], ns)).items;
    const waiting = (pod: Pod) =>
      pod.status.containerStatuses?.[0]?.state?.waiting?.reason as string | undefined;

    it("has the joelclaw node shape: one Ready control-plane node, and flannel available", async ({
      cluster,
    }) => {
      const node = await getJson(cluster, ["get", "node", NODE]);
      expect(node.metadata.labels["node-role.kubernetes.io/control-plane"]).toBe("");
      expect(node.status.conditions.find((c: { type: string }) => c.type === "Ready").status).toBe("True");
      expect(node.spec.taints ?? []).toEqual([]);
      const flannel = await waitUntil("flannel available", async () => {
        const ds = await getJson(cluster, ["get", "daemonset", "kube-flannel"], "kube-system");
        return ds.status.numberAvailable === 1 && ds.status.desiredNumberScheduled === 1 ? ds : false;
      });
      expect(flannel.metadata.namespace).toBe("kube-system");
    });

    it("rolls out a Deployment, and kubectl rollout status agrees", async ({ cluster, ns }) => {
      await deploy(cluster, ns, "good", "registry.local/app:v1");
      const out = await cluster.kubectl(["rollout", "status", "deployment/good", "--timeout=60s"], {
        namespace: ns,
      });
      expect(out).toContain('deployment "good" successfully rolled out');
      const d = await getJson(cluster, ["get", "deployment", "good"], ns);
      expect(d.status.availableReplicas).toBe(1);
    });

    it("crash-loops an image tagged crashloop*, with a rising restart count", async ({ cluster, ns }) => {
      await deploy(cluster, ns, "crash", "registry.local/app:crashloop-1");
      const first = await waitUntil(
        "CrashLoopBackOff",
        async () => {
          const [pod] = await podsOf(cluster, ns, "crash");
          return pod && waiting(pod) === "CrashLoopBackOff" ? pod : false;
        },
        30_000,
      );
      const restarts = first.status.containerStatuses[0].restartCount as number;
      expect(restarts).toBeGreaterThanOrEqual(1);
      expect(first.status.containerStatuses[0].lastState.terminated.exitCode).toBe(1);
      await waitUntil(
        "a higher restart count",
        async () => {
          const [pod] = await podsOf(cluster, ns, "crash");
          return (pod?.status.containerStatuses?.[0]?.restartCount ?? 0) > restarts;
        },
        30_000,
      );
    });

    it("fails image pulls for pullfail*, keeps unready* Running but not Ready, and makes slow* Ready later", async ({
      cluster,
      ns,
    }) => {
      await deploy(cluster, ns, "pull", "registry.local/app:pullfail");
      await deploy(cluster, ns, "unready", "registry.local/app:unready");
      await deploy(cluster, ns, "slow", "registry.local/app:slow");
      await waitUntil(
        "ImagePullBackOff",
        async () => {
          const [pod] = await podsOf(cluster, ns, "pull");
          return (
            pod &&
            ["ErrImagePull", "ImagePullBackOff"].includes(waiting(pod) ?? "") &&
            waiting(pod) === "ImagePullBackOff"
          );
        },
        30_000,
      );
      const unready = await waitUntil("unready pod running", async () => {
        const [pod] = await podsOf(cluster, ns, "unready");
        return pod?.status.phase === "Running" ? pod : false;
      });
      expect(unready.status.conditions.find((c: { type: string }) => c.type === "Ready").status).toBe(
        "False",
      );
      const slowRunning = await waitUntil("slow pod running", async () => {
        const [pod] = await podsOf(cluster, ns, "slow");
        return pod?.status.phase === "Running" ? pod : false;
      });
      expect(slowRunning.status.conditions.find((c: { type: string }) => c.type === "Ready").status).toBe(
        "False",
      );
      await cluster.kubectl(["rollout", "status", "deployment/slow", "--timeout=60s"], {
        namespace: ns,
      });
    });

    it("applies the same faults to any image through the sim.joelclaw.dev/fault annotation", async ({
      cluster,
      ns,
    }) => {
      await deploy(cluster, ns, "annotated", "registry.local/app:v1", {
        annotations: { "sim.joelclaw.dev/fault": "pullfail" },
      });
      await waitUntil(
        "pull failure by annotation",
        async () => {
          const [pod] = await podsOf(cluster, ns, "annotated");
          return ["ErrImagePull", "ImagePullBackOff"].includes((pod && waiting(pod)) ?? "");
        },
        30_000,
      );
    });

    it("serves kubectl exec (redis-cli ping → PONG) and kubectl logs for simulated pods", async ({
      cluster,
      ns,
    }) => {
      await deploy(cluster, ns, "redis", "redis:7.4");
      await cluster.kubectl(["rollout", "status", "deployment/redis", "--timeout=60s"], {
        namespace: ns,
      });
      const [pod] = await podsOf(cluster, ns, "redis");
      expect(
        (
          await cluster.kubectl(["exec", pod?.metadata.name as string, "--", "redis-cli", "ping"], {
            namespace: ns,
          })
        ).trim(),
      ).toBe("PONG");
      expect(await cluster.kubectl(["logs", pod?.metadata.name as string], { namespace: ns })).toContain(
        "sim: container started",
      );
    });

    it("binds a StatefulSet's volumeClaimTemplate to a pre-made PV through the real PV controller", async ({
      cluster,
      ns,
    }) => {
      const pv = `pv-${ns}`;
      await cluster.kubectl(["apply", "-f", "-"], {
        input: JSON.stringify({
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: { name: pv },
          spec: {
            capacity: { storage: "1Gi" },
            accessModes: ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Delete",
            storageClassName: "local-path",
            hostPath: { path: `/tmp/${pv}` },
          },
        }),
      });
      try {
        await cluster.kubectl(["apply", "-f", "-"], {
          namespace: ns,
          input: JSON.stringify({
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: "redis" },
            spec: {
              serviceName: "redis",
              replicas: 1,
              selector: { matchLabels: { app: "redis-sts" } },
              template: {
                metadata: { labels: { app: "redis-sts" } },
                spec: { containers: [{ name: "redis", image: "redis:7.4" }] },
              },
              volumeClaimTemplates: [
                {
                  metadata: { name: "data" },
                  spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: "local-path",
                    resources: { requests: { storage: "1Gi" } },
                  },
                },
              ],
            },
          }),
        });
        await waitUntil(
          "PVC bound",
          async () => (await getJson(cluster, ["get", "pvc", "data-redis-0"], ns)).status.phase === "Bound",
        );
        expect((await getJson(cluster, ["get", "pv", pv])).status.phase).toBe("Bound");
        await cluster.kubectl(["rollout", "status", "statefulset/redis", "--timeout=60s"], {
          namespace: ns,
        });
      } finally {
        await cluster.kubectl(["delete", "pv", pv, "--wait=false"]);
      }
    });

    it("makes the node NotReady and back, and taints and cordons it", async ({ cluster }) => {
      await faults.nodeNotReady(cluster, NODE);
      try {
        await waitUntil(
          "node NotReady",
          async () => {
            const node = await getJson(cluster, ["get", "node", NODE]);
            return (
              node.status.conditions.find((c: { type: string }) => c.type === "Ready").status === "False"
            );
          },
          30_000,
        );
      } finally {
        await faults.nodeNotReady(cluster, NODE, false);
      }
      await waitUntil(
        "node Ready again",
        async () => {
          const node = await getJson(cluster, ["get", "node", NODE]);
          return node.status.conditions.find((c: { type: string }) => c.type === "Ready").status === "True";
        },
        30_000,
      );

      await faults.taintAndCordon(cluster, NODE);
      try {
        const node = await getJson(cluster, ["get", "node", NODE]);
        expect(node.spec.unschedulable).toBe(true);
        expect(node.spec.taints).toContainEqual({
          key: "node-role.kubernetes.io/control-plane",
          effect: "NoSchedule",
        });
      } finally {
        await faults.untaintAndUncordon(cluster, NODE);
      }
    });

    it("crashes the flannel pods, emits flannel's subnet.env sandbox event, and marks pods lost", async ({
      cluster,
      ns,
    }) => {
      await faults.crashFlannel(cluster);
      try {
        await waitUntil(
          "flannel crash-looping",
          async () => {
            const pods = (
              await getJson<{ items: Pod[] }>(
                cluster,
                ["get", "pods", "-l", "k8s-app=flannel"],
                "kube-system",
              )
            ).items;
            return (
              pods.length > 0 &&
              pods.every(
                (p) =>
                  ["CrashLoopBackOff", undefined].includes(waiting(p)) &&
                  p.status.containerStatuses?.[0]?.ready === false,
              )
            );
          },
          30_000,
        );
      } finally {
        await faults.crashFlannel(cluster, false);
      }

      await deploy(cluster, ns, "victim", "registry.local/app:v1");
      await cluster.kubectl(["rollout", "status", "deployment/victim", "--timeout=60s"], {
        namespace: ns,
      });
      const [victim] = await podsOf(cluster, ns, "victim");
      await faults.flannelSandboxEvent(cluster, ns, victim?.metadata.name as string);
      const events = await getJson<{ items: Array<{ reason: string; message: string }> }>(
        cluster,
        ["get", "events", "--field-selector", "reason=FailedCreatePodSandBox"],
        ns,
      );
      expect(events.items[0]?.message).toMatch(/failed to load flannel 'subnet\.env'/);

      await faults.markPodsLost(cluster, ns, "app=victim");
      const lost = await waitUntil("a lost pod", async () =>
        (await podsOf(cluster, ns, "victim")).find(
          (p) => p.metadata.deletionTimestamp && p.status.reason === "NodeLost",
        ),
      );
      const table = await cluster.kubectl(["get", "pod", lost.metadata.name], { namespace: ns });
      expect(table).toMatch(/Unknown/);
      await cluster.kubectl(["delete", "pod", lost.metadata.name, "--grace-period=0", "--force"], {
        namespace: ns,
      });
    });

    it("survives an API server restart", async ({ cluster, ns }) => {
      await faults.component("restart", "kube-apiserver");
      const nodes = await cluster.kubectl(["get", "nodes"]);
      expect(nodes).toContain(NODE);
      await deploy(cluster, ns, "after-restart", "registry.local/app:v2");
      await cluster.kubectl(["rollout", "status", "deployment/after-restart", "--timeout=60s"], {
        namespace: ns,
      });
    });
  },
);
