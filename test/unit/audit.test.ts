import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseClusterFile } from "../../src/inventory/load";
import { clusterFileJsonSchema } from "../../src/inventory/schema";
import { ROOT, runCli } from "../harness/run";

const REFERENCE = join(ROOT, "..", "shared", "reference", "joelclaw");
const env = { PATH: process.env.PATH };

describe.skipIf(!existsSync(REFERENCE) && !process.env.CI)("audit of the cluster's real manifests", () => {
  it("finds exactly the true gaps: the missing probes, and the untagged inngest image", async () => {
    const r = await runCli(
      [
        "audit",
        "--manifests",
        REFERENCE,
        "--config",
        join(ROOT, "examples", "joelclaw.cluster.yaml"),
        "--json",
      ],
      { env },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(
      doc.findings
        .map(
          (f: { id: string; resource: string; message: string }) =>
            `${f.id} ${f.resource}: ${f.message.split(":")[0]}`,
        )
        .sort(),
    ).toEqual(
      [
        "policy.image-latest StatefulSet/joelclaw/inngest: container inngest runs inngest/inngest (no tag",
        "policy.probe-missing Deployment/joelclaw/system-bus-worker: container system-bus-worker has no startup probe",
        "policy.probe-missing StatefulSet/joelclaw/inngest: container inngest has no startup probe",
        "policy.probe-missing StatefulSet/joelclaw/redis: container redis has no startup probe",
        "policy.probe-missing StatefulSet/joelclaw/typesense: container typesense has no liveness probe",
        "policy.probe-missing StatefulSet/joelclaw/typesense: container typesense has no startup probe",
      ].sort(),
    );
    for (const f of doc.findings)
      expect(Object.keys(f)).toEqual(["id", "severity", "resource", "message", "hint"]);
    expect(r.stderr).toContain("skipped");
  });
});

describe("audit and the cluster file", () => {
  it("flags the PDS trap as critical (NodePort 9627 where Docker maps 9627→3000) and exits 1", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audit-"));
    await writeFile(
      join(dir, "pds.yaml"),
      "apiVersion: v1\nkind: Service\nmetadata: {name: bluesky-pds, namespace: joelclaw}\nspec:\n  type: NodePort\n  ports: [{port: 3000, targetPort: 3000, nodePort: 9627}]\n",
    );
    const r = await runCli(
      ["audit", "--manifests", dir, "--config", join(ROOT, "examples", "joelclaw.cluster.yaml"), "--json"],
      { env },
    );
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.findings).toContainEqual(
      expect.objectContaining({
        id: "policy.nodeport-mismatch",
        severity: "critical",
        resource: "Service/joelclaw/bluesky-pds",
      }),
    );
  });

  it("flags a host-reached service that is not NodePort", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audit-"));
    await writeFile(
      join(dir, "ts.yaml"),
      "apiVersion: v1\nkind: Service\nmetadata: {name: typesense, namespace: joelclaw}\nspec: {type: ClusterIP, ports: [{port: 8108}]}\n",
    );
    const r = await runCli(
      ["audit", "--manifests", dir, "--config", join(ROOT, "examples", "joelclaw.cluster.yaml"), "--json"],
      { env },
    );
    expect(JSON.parse(r.stdout).findings).toContainEqual(
      expect.objectContaining({ id: "policy.service-not-nodeport", resource: "Service/joelclaw/typesense" }),
    );
  });

  it("rejects a wrong field with its path and the expected form, exit 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audit-"));
    const config = join(dir, "bad.yaml");
    await writeFile(
      config,
      "cluster: {namespace: joelclaw}\nservices:\n  - name: pds\n    ports: [{host: 9627, container: 99999}]\n    probe: {http: {url: localhost:9627}}\n",
    );
    const r = await runCli(["audit", "--manifests", dir, "--config", config], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("services[0].ports[0].container");
    expect(r.stderr).toContain("services[0].probe.http.url: must be an http:// or https:// URL");
  });

  it("parses the shipped example and exports a JSON Schema identical to the committed one", async () => {
    const { readFile } = await import("node:fs/promises");
    const example = parseClusterFile(
      parse(await readFile(join(ROOT, "examples", "joelclaw.cluster.yaml"), "utf8")),
      "example",
    );
    expect(example.services.map((s) => s.name)).toEqual([
      "redis",
      "typesense",
      "inngest",
      "system-bus-worker",
      "livekit-server",
      "bluesky-pds",
    ]);
    expect(example.services.find((s) => s.name === "bluesky-pds")?.ports[0]).toMatchObject({
      host: 9627,
      container: 3000,
      nodePort: 3000,
    });
    const committed = JSON.parse(await readFile(join(ROOT, "schemas", "cluster.schema.json"), "utf8"));
    expect(committed).toEqual(clusterFileJsonSchema());
  });
});
