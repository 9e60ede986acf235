import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ToolError } from "../../src/errors";
import { kubeconfigPath, loadKubeTarget } from "../../src/kube/kubeconfig";
import { readPatches } from "../../src/kube/patches";

const dir = await mkdtemp(join(tmpdir(), "kubeconfig-"));
const write = async (name: string, text: string) => {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
};

const config = (user: string) => `apiVersion: v1
kind: Config
current-context: admin@joelclaw-1
clusters:
- name: joelclaw-1
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: ${Buffer.from("CA").toString("base64")}
contexts:
- name: admin@joelclaw-1
  context: {cluster: joelclaw-1, user: admin, namespace: joelclaw}
- name: other
  context: {cluster: missing, user: admin}
users:
- name: admin
  user:
${user}
`;

describe("loadKubeTarget", () => {
  it("resolves the current context: server, namespace, CA and client cert", async () => {
    const file = await write(
      "a",
      config(
        `    client-certificate-data: ${Buffer.from("CERT").toString("base64")}\n    client-key-data: ${Buffer.from("KEY").toString("base64")}`,
      ),
    );
    const t = await loadKubeTarget(file, undefined, {});
    expect(t).toMatchObject({
      server: "https://127.0.0.1:6443",
      context: "admin@joelclaw-1",
      namespace: "joelclaw",
      insecureSkipTlsVerify: false,
    });
    expect(t.ca?.toString()).toBe("CA");
    expect(t.cert?.toString()).toBe("CERT");
    expect(t.key?.toString()).toBe("KEY");
  });

  it("runs an exec credential plugin for a token", async () => {
    const plugin = await write(
      "plugin.sh",
      `#!/bin/sh\nprintf '{"kind":"ExecCredential","status":{"token":"tok-%s"}}' "$TEAM"\n`,
    );
    await chmod(plugin, 0o755);
    const file = await write(
      "b",
      config(
        `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${plugin}\n      env: [{name: TEAM, value: infra}]`,
      ),
    );
    expect((await loadKubeTarget(file, undefined, { PATH: process.env.PATH })).token).toBe("tok-infra");
  });

  it("names a missing context, a context without cluster, and an unreadable file", async () => {
    const file = await write("c", config("    token: abc"));
    await expect(loadKubeTarget(file, "nope", {})).rejects.toThrow(
      /no context "nope".*Contexts there|input "context": no context "nope"/s,
    );
    await expect(loadKubeTarget(file, "other", {})).rejects.toThrow(/names cluster "missing"/);
    const error = await loadKubeTarget(join(dir, "absent"), undefined, {}).catch((e: ToolError) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).exitCode).toBe(2);
  });

  it("finds the file the way kubectl does", () => {
    expect(kubeconfigPath("/x", { KUBECONFIG: "/y" })).toBe("/x");
    expect(kubeconfigPath(undefined, { KUBECONFIG: "/y:/z" })).toBe("/y");
    expect(kubeconfigPath(undefined, { HOME: "/home/j" })).toBe("/home/j/.kube/config");
  });
});

describe("readPatches", () => {
  it("reads the PDS NodePort patch", async () => {
    const patches = await readPatches(join(__dirname, "..", "fixtures", "pds-patches.yaml"));
    expect(patches).toEqual([
      {
        target: { kind: "service", name: "bluesky-pds" },
        namespace: undefined,
        type: "json",
        patch: [{ op: "replace", path: "/spec/ports/0/nodePort", value: 3000 }],
      },
    ]);
  });
  it.each([
    ["- target: pod/x\n  type: json\n  patch: []", "target must be kind/name"],
    ["- target: service/x\n  type: yaml\n  patch: {}", "type must be json, merge or strategic"],
    ["- target: service/x\n  type: json\n  patch: {a: 1}", "not a JSON Patch list"],
    ["target: service/x", "must hold a YAML list"],
  ])("rejects %j", async (text, message) => {
    const file = await write(`p-${Math.random()}`, text);
    const error = await readPatches(file).catch((e: ToolError) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toContain(message);
    expect((error as ToolError).exitCode).toBe(2);
  });
});
