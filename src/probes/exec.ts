import { execFile } from "../exec";
import type { ProbeOutcome } from "./http";

export interface ExecInPod {
  kubeconfig: string;
  context: string;
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
  expect: string;
  timeoutMs: number;
}

/** A command run in a running pod through the exec API (kubectl exec), its output checked. */
export async function probeExec(p: ExecInPod, env: NodeJS.ProcessEnv): Promise<ProbeOutcome> {
  const args = [
    "--kubeconfig",
    p.kubeconfig,
    "--context",
    p.context,
    "-n",
    p.namespace,
    "exec",
    p.pod,
    ...(p.container ? ["-c", p.container] : []),
    "--",
    ...p.command,
  ];
  const what = `\`${p.command.join(" ")}\` in pod ${p.pod}`;
  const result = await execFile("kubectl", args, { env, timeoutMs: p.timeoutMs });
  if (result.notFound)
    return { ok: false, kind: "unreachable", detail: "kubectl is not on PATH (the exec check needs it)" };
  if (result.timedOut)
    return { ok: false, kind: "timeout", detail: `${what} did not answer within ${p.timeoutMs} ms` };
  if (result.exitCode !== 0)
    return {
      ok: false,
      kind: "refused",
      detail: `${what} failed: ${result.stderr.trim().split("\n").pop()}`,
    };
  if (!result.stdout.includes(p.expect))
    return {
      ok: false,
      kind: "wrong-body",
      detail: `${what} printed ${JSON.stringify(result.stdout.trim().slice(0, 100))}, expected ${p.expect}`,
    };
  return { ok: true, detail: `${what} → ${p.expect}` };
}
