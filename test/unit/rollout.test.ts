import { describe, expect, it } from "vitest";
import { ToolError } from "../../src/errors";
import { parseDuration } from "../../src/inputs/parse";
import type { KubeObject } from "../../src/kube/client";
import { explainFailure, podFailure } from "../../src/kube/pods";
import { newRevisionSelector, rolloutState, unwatchableReason } from "../../src/kube/rollout";
import { canonicalJson, chooseContainer } from "../../src/kube/workload";
import { judgeHttpAnswer } from "../../src/probes/http";
import { imageRefProblem } from "../../src/registry/reference";

const obj = (o: Partial<KubeObject> & { name?: string }): KubeObject => ({
  metadata: { name: o.name ?? "x", ...(o.metadata ?? {}) },
  ...o,
});

describe("rolloutState (kubectl's rules)", () => {
  const dep = (spec: object, status: object, generation = 2) =>
    obj({ metadata: { name: "web", generation }, spec: { replicas: 3, ...spec }, status });

  it("waits until the controller observed the change's generation", () => {
    expect(
      rolloutState(
        "deployment",
        dep({}, { observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }),
        2,
      ).state,
    ).toBe("waiting");
  });
  it.each([
    [
      { observedGeneration: 2, updatedReplicas: 1, replicas: 3, availableReplicas: 3 },
      "1 of 3 updated replicas",
    ],
    [
      { observedGeneration: 2, updatedReplicas: 3, replicas: 4, availableReplicas: 3 },
      "1 old replicas pending termination",
    ],
    [
      { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 },
      "2 of 3 updated replicas available",
    ],
  ])("waits on %j", (status, message) => {
    const s = rolloutState("deployment", dep({}, status), 2);
    expect(s).toMatchObject({ state: "waiting", message });
  });
  it("is done when all updated replicas are available and no old ones remain", () => {
    expect(
      rolloutState(
        "deployment",
        dep({}, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }),
        2,
      ).state,
    ).toBe("done");
  });
  it("fails on ProgressDeadlineExceeded", () => {
    const s = rolloutState(
      "deployment",
      dep(
        {},
        { observedGeneration: 2, conditions: [{ type: "Progressing", reason: "ProgressDeadlineExceeded" }] },
      ),
      2,
    );
    expect(s.state).toBe("failed");
  });
  it("follows StatefulSet revisions and partitions", () => {
    const sts = (spec: object, status: object) =>
      obj({
        metadata: { name: "db", generation: 1 },
        spec: { replicas: 2, ...spec },
        status: { observedGeneration: 1, ...status },
      });
    expect(
      rolloutState("statefulset", sts({}, { readyReplicas: 2, updateRevision: "b", currentRevision: "a" }), 1)
        .state,
    ).toBe("waiting");
    expect(
      rolloutState("statefulset", sts({}, { readyReplicas: 2, updateRevision: "b", currentRevision: "b" }), 1)
        .state,
    ).toBe("done");
    expect(
      rolloutState("statefulset", sts({}, { readyReplicas: 1, updateRevision: "b", currentRevision: "b" }), 1)
        .state,
    ).toBe("waiting");
    const partitioned = sts(
      { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } },
      { readyReplicas: 2, updatedReplicas: 1, updateRevision: "b", currentRevision: "a" },
    );
    expect(rolloutState("statefulset", partitioned, 1).state).toBe("done");
  });
  it("follows DaemonSet scheduling counts", () => {
    const ds = (status: object) =>
      obj({
        metadata: { name: "agent", generation: 1 },
        status: { observedGeneration: 1, desiredNumberScheduled: 2, ...status },
      });
    expect(rolloutState("daemonset", ds({ updatedNumberScheduled: 1, numberAvailable: 2 }), 1).state).toBe(
      "waiting",
    );
    expect(rolloutState("daemonset", ds({ updatedNumberScheduled: 2, numberAvailable: 1 }), 1).state).toBe(
      "waiting",
    );
    expect(rolloutState("daemonset", ds({ updatedNumberScheduled: 2, numberAvailable: 2 }), 1).state).toBe(
      "done",
    );
  });
  it("refuses paused and OnDelete workloads up front", () => {
    expect(unwatchableReason("deployment", obj({ spec: { paused: true } }))).toContain("paused");
    expect(
      unwatchableReason("statefulset", obj({ spec: { updateStrategy: { type: "OnDelete" } } })),
    ).toContain("OnDelete");
    expect(unwatchableReason("deployment", obj({ spec: {} }))).toBeUndefined();
  });
});

describe("newRevisionSelector", () => {
  it("finds a Deployment's new ReplicaSet by revision", () => {
    const d = obj({ metadata: { name: "web", annotations: { "deployment.kubernetes.io/revision": "3" } } });
    const rs = [
      obj({
        metadata: {
          name: "web-a",
          annotations: { "deployment.kubernetes.io/revision": "2" },
          labels: { "pod-template-hash": "a" },
        },
      }),
      obj({
        metadata: {
          name: "web-b",
          annotations: { "deployment.kubernetes.io/revision": "3" },
          labels: { "pod-template-hash": "b" },
        },
      }),
    ];
    expect(newRevisionSelector("deployment", d, rs)).toEqual({
      label: "pod-template-hash",
      value: "b",
      revision: "3",
    });
  });
  it("uses the StatefulSet's updateRevision and the DaemonSet's newest ControllerRevision", () => {
    expect(
      newRevisionSelector("statefulset", obj({ status: { updateRevision: "db-123" } }), [
        obj({ metadata: { name: "db-123" }, revision: 4 }),
      ]),
    ).toEqual({
      label: "controller-revision-hash",
      value: "db-123",
      revision: "4",
    });
    const crs = [1, 3, 2].map((n) =>
      obj({ metadata: { name: `a-${n}`, labels: { "controller-revision-hash": `h${n}` } }, revision: n }),
    );
    expect(newRevisionSelector("daemonset", obj({}), crs)?.value).toBe("h3");
  });
});

describe("podFailure", () => {
  const now = new Date("2026-11-26T00:01:00Z");
  const pod = (status: object) =>
    obj({ metadata: { name: "web-1", creationTimestamp: "2026-11-26T00:00:00Z" }, status });
  it.each([
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
  ])("fails on %s", (reason) => {
    expect(
      podFailure(pod({ containerStatuses: [{ name: "app", state: { waiting: { reason } } }] }), now)?.reason,
    ).toBe(reason);
  });
  it("fails on OOMKilled and carries the exit code", () => {
    const f = podFailure(
      pod({
        containerStatuses: [
          { name: "app", restartCount: 2, lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } } },
        ],
      }),
      now,
    );
    expect(f).toMatchObject({ reason: "OOMKilled", exitCode: 137, container: "app" });
  });
  it("waits out the unschedulable grace, then fails", () => {
    const unsched = (since: string) =>
      pod({
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            lastTransitionTime: since,
            message: "taint",
          },
        ],
      });
    expect(
      podFailure(unsched("2026-11-26T00:00:50Z"), now, { reasons: [], unschedulableGraceMs: 15_000 }),
    ).toBeUndefined();
    expect(
      podFailure(unsched("2026-11-26T00:00:30Z"), now, { reasons: [], unschedulableGraceMs: 15_000 })?.reason,
    ).toBe("Unschedulable");
  });
  it("ignores pods that are merely starting", () => {
    expect(
      podFailure(
        pod({ containerStatuses: [{ name: "app", state: { waiting: { reason: "ContainerCreating" } } }] }),
        now,
      ),
    ).toBeUndefined();
  });
});

describe("explainFailure", () => {
  it.each([
    [
      { reason: "ErrImagePull", message: 'failed to pull "x": not found' },
      /cannot be pulled.*tag or digest does not exist/,
    ],
    [
      { reason: "ImagePullBackOff", message: "unauthorized: authentication required" },
      /pull credentials were refused/,
    ],
    [
      { reason: "CrashLoopBackOff", message: "", exitCode: 3, restarts: 4 },
      /crashes on start \(exit code 3\), restarted 4 times/,
    ],
    [
      { reason: "CreateContainerConfigError", message: 'secret "system-bus-env" not found' },
      /its secret "system-bus-env" does not exist/,
    ],
    [
      {
        reason: "Unschedulable",
        message:
          "0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",
      },
      /control-plane NoSchedule taint is back/,
    ],
    [{ reason: "OOMKilled", message: "" }, /memory limit/],
  ])("%j", (partial, cause) => {
    const explained = explainFailure({ pod: "web-1", container: "app", ...partial }, "ghcr.io/a/b:1");
    expect(explained.cause).toMatch(cause);
    expect(explained.hint.length).toBeGreaterThan(10);
  });
});

describe("small deploy helpers", () => {
  it("parses durations", () => {
    expect([
      parseDuration("90s"),
      parseDuration("5m"),
      parseDuration("1m30s"),
      parseDuration("2"),
      parseDuration("500ms"),
    ]).toEqual([90_000, 300_000, 90_000, 2_000, 500]);
    expect(parseDuration("soon")).toBeUndefined();
    expect(parseDuration("")).toBeUndefined();
  });
  it("validates image references", () => {
    expect(imageRefProblem("ghcr.io/joelhooks/system-bus-worker:abc123")).toBeUndefined();
    expect(imageRefProblem(`ghcr.io/joelhooks/w@sha256:${"a".repeat(64)}`)).toBeUndefined();
    expect(imageRefProblem("127.0.0.1:5000/a/b:v1")).toBeUndefined();
    expect(imageRefProblem("redis:7-alpine")).toBeUndefined();
    expect(imageRefProblem("Ghcr.io/Joel/W:1")).toBeDefined();
    expect(imageRefProblem("ghcr.io/a/b@sha256:xyz")).toContain("invalid digest");
    expect(imageRefProblem("a/b:-bad")).toContain("invalid tag");
  });
  it("compares templates whatever the key order", () => {
    expect(canonicalJson({ a: 1, b: { d: 2, c: [1, { y: 1, x: 2 }] } })).toBe(
      canonicalJson({ b: { c: [1, { x: 2, y: 1 }], d: 2 }, a: 1 }),
    );
  });
  it("chooses the container, or says which to name", () => {
    const ref = { kind: "deployment" as const, name: "web", namespace: "ns" };
    const one = obj({ spec: { template: { spec: { containers: [{ name: "app", image: "a:1" }] } } } });
    const two = obj({
      spec: {
        template: {
          spec: {
            containers: [
              { name: "app", image: "a:1" },
              { name: "side", image: "s:1" },
            ],
          },
        },
      },
    });
    expect(chooseContainer(one, ref, undefined).name).toBe("app");
    expect(() => chooseContainer(two, ref, undefined)).toThrow(ToolError);
    expect(() => chooseContainer(one, ref, "nope")).toThrow(/has no container "nope"/);
  });
  it("judges probe answers", () => {
    const e = { url: "http://x/health", status: 200, bodyContains: '"ok":true', timeoutMs: 1000 };
    expect(judgeHttpAnswer(e, 200, '{"ok":true}').ok).toBe(true);
    expect(judgeHttpAnswer(e, 500, "boom")).toMatchObject({ ok: false, kind: "wrong-status" });
    expect(judgeHttpAnswer(e, 200, "{}")).toMatchObject({ ok: false, kind: "wrong-body" });
  });
});
