import { execFile as execFileCb } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { type Cluster, getJson, skipWithoutCluster, startCluster } from "../harness/cluster";
import { ROOT, runCli } from "../harness/run";

const execFile = promisify(execFileCb);
const skip = skipWithoutCluster();
const CONTROL = "http://127.0.0.1:18999/endpoints";

const get = async (url: string) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return { status: response.status, body: await response.text() };
};
const redisPing = () =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(6379, "127.0.0.1", () => socket.write("PING\r\n"));
    socket.setTimeout(3000, () => reject(new Error("timeout")));
    socket.on("data", (d) => {
      resolve(d.toString().trim());
      socket.destroy();
    });
    socket.on("error", reject);
  });
const setMode = (port: number, mode: string) => fetch(`${CONTROL}/${port}`, { method: "PUT", body: mode });

describe.skipIf(skip)("npm run sandbox: the joelclaw namespace in miniature", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster();
    const { stdout } = await execFile("bash", [join(ROOT, "scripts", "sandbox", "up.sh")], {
      timeout: 300_000,
    });
    expect(stdout.trim().split("\n").pop()).toBe(cluster.kubeconfig);
  });

  it("runs every joelclaw workload, available, with its PVCs bound", async () => {
    const deployments = await getJson<{
      items: Array<{ metadata: { name: string }; status: { availableReplicas?: number } }>;
    }>(cluster, ["get", "deployments"], "joelclaw");
    expect(deployments.items.map((d) => [d.metadata.name, d.status.availableReplicas]).sort()).toEqual([
      ["bluesky-pds", 1],
      ["livekit-server", 1],
      ["system-bus-worker", 1],
    ]);
    const sets = await getJson<{
      items: Array<{ metadata: { name: string }; status: { readyReplicas?: number } }>;
    }>(cluster, ["get", "statefulsets"], "joelclaw");
    expect(sets.items.map((s) => [s.metadata.name, s.status.readyReplicas]).sort()).toEqual([
      ["inngest", 1],
      ["redis", 1],
      ["typesense", 1],
    ]);
    const pvcs = await getJson<{ items: Array<{ status: { phase: string } }> }>(
      cluster,
      ["get", "pvc"],
      "joelclaw",
    );
    expect(pvcs.items.map((p) => p.status.phase)).toEqual(["Bound", "Bound", "Bound"]);
  });

  it("keeps the PDS NodePort on 3000, the container side of Docker's 9627->3000", async () => {
    const svc = await getJson(cluster, ["get", "service", "bluesky-pds"], "joelclaw");
    expect(svc.spec.ports[0].nodePort).toBe(3000);
  });

  it("answers redis-cli ping in redis-0 through the real exec API", async () => {
    expect(
      (
        await cluster.kubectl(["exec", "redis-0", "--", "redis-cli", "ping"], { namespace: "joelclaw" })
      ).trim(),
    ).toBe("PONG");
  });

  it("serves each health endpoint on its host port, as the Mac Mini does", async () => {
    expect(await get("http://127.0.0.1:8108/health")).toEqual({ status: 200, body: '{"ok":true}' });
    expect(JSON.parse((await get("http://127.0.0.1:8288/health")).body).status).toBe(200);
    expect(await get("http://127.0.0.1:7880/")).toEqual({ status: 200, body: "OK" });
    expect(JSON.parse((await get("http://127.0.0.1:9627/xrpc/_health")).body).version).toMatch(/^\d/);
    expect((await get("http://127.0.0.1:3111/api/inngest")).status).toBe(200);
    expect(await redisPing()).toBe("+PONG");
  });

  it("detects a crash-looping system-bus worker release and rolls it back in seconds, naming the cause", async () => {
    const before = (await getJson(cluster, ["get", "deployment/system-bus-worker"], "joelclaw")).spec
      .template;
    const result = await runCli(
      [
        "deploy",
        "--kubeconfig",
        cluster.kubeconfig,
        "--namespace",
        "joelclaw",
        "--workload",
        "deployment/system-bus-worker",
        "--image",
        "ghcr.io/joelhooks/system-bus-worker:crashloop-deadbeef",
        "--json",
      ],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc.error.message).toMatch(
      /container system-bus-worker of pod system-bus-worker-\S+ crashes on start \(exit code 1\)/,
    );
    expect(doc.error.message).toContain("rolled back to ghcr.io/joelhooks/system-bus-worker:a6b4336b");
    const after = await getJson(cluster, ["get", "deployment/system-bus-worker"], "joelclaw");
    expect(JSON.stringify(after.spec.template)).toBe(JSON.stringify(before));
    expect(after.status.availableReplicas).toBe(1);
  });

  it("turns an endpoint down, hanging or wrong on request, and back", async () => {
    try {
      await setMode(8108, "down");
      await expect(get("http://127.0.0.1:8108/health")).rejects.toThrow();
      await setMode(8108, "wrong");
      expect((await get("http://127.0.0.1:8108/health")).status).toBe(500);
      await setMode(8108, "hang");
      await expect(get("http://127.0.0.1:8108/health")).rejects.toThrow(/timeout|aborted/i);
      expect((await setMode(8108, "sideways")).status).toBe(400);
    } finally {
      await setMode(8108, "ok");
    }
    expect((await get("http://127.0.0.1:8108/health")).status).toBe(200);
  });
});
