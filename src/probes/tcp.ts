import { connect } from "node:net";
import type { ProbeOutcome } from "./http";

/** A TCP probe: the port accepts a connection within the timeout; refused and timed out told apart. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: ProbeOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () =>
      done({
        ok: false,
        kind: "timeout",
        detail: `${host}:${port} did not accept a connection within ${timeoutMs} ms`,
      }),
    );
    socket.once("connect", () => done({ ok: true, detail: `${host}:${port} accepts connections` }));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      done(
        error.code === "ECONNREFUSED"
          ? { ok: false, kind: "refused", detail: `${host}:${port}: connection refused` }
          : { ok: false, kind: "unreachable", detail: `${host}:${port}: ${error.code ?? error.message}` },
      ),
    );
  });
}
