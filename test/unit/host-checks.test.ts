import { describe, expect, it } from "vitest";
import { hostFindings, parseMemory } from "../../src/checks/host";
import type { HostFacts } from "../../src/host/facts";
import { clusterFileSchema } from "../../src/inventory/schema";

const config = clusterFileSchema.parse({ cluster: {} });
const facts = (over: Partial<HostFacts>): HostFacts => ({
  colimaDisk: { usePercent: 40 },
  plists: [{ file: "/Users/joel/Library/LaunchAgents/heal.plist", path: "/opt/homebrew/bin:/usr/bin:/bin" }],
  talos: {
    restartPolicy: "unless-stopped",
    memoryBytes: 18 * 1024 ** 3,
    portBindings: ["6443/tcp", "8108/tcp"],
  },
  portForwards: [],
  ...over,
});
const ids = (f: ReturnType<typeof hostFindings>) => f.map((x) => `${x.severity} ${x.id}`);

describe("hostFindings", () => {
  it("is quiet on a healthy host", () => {
    expect(hostFindings(facts({}), config)).toEqual([]);
  });
  it("flags the Talos container's 3111 binding, its restart policy and its memory cap", () => {
    const f = hostFindings(
      facts({ talos: { restartPolicy: "no", memoryBytes: 8 * 1024 ** 3, portBindings: ["3111/tcp"] } }),
      config,
    );
    expect(ids(f)).toEqual([
      "warning host.talos-restart-policy",
      "warning host.talos-memory",
      "critical host.talos-3111",
    ]);
  });
  it("warns over the disk threshold and goes critical when nearly full", () => {
    expect(ids(hostFindings(facts({ colimaDisk: { usePercent: 85 } }), config))).toEqual([
      "warning host.colima-disk",
    ]);
    expect(ids(hostFindings(facts({ colimaDisk: { usePercent: 97 } }), config))).toEqual([
      "critical host.colima-disk",
    ]);
  });
  it("requires /opt/homebrew/bin in launchd PATHs", () => {
    expect(
      ids(hostFindings(facts({ plists: [{ file: "/x/heal.plist", path: "/usr/bin:/bin" }] }), config)),
    ).toEqual(["critical host.launchd-path"]);
  });
  it("flags a running kubectl port-forward", () => {
    expect(
      ids(
        hostFindings(
          facts({ portForwards: ["kubectl -n joelclaw port-forward svc/typesense 8108:8108"] }),
          config,
        ),
      ),
    ).toEqual(["warning policy.port-forward"]);
  });
  it("says what it could not check, as info", () => {
    const f = hostFindings(
      facts({
        colimaDisk: { skipped: "colima is not installed here" },
        talos: { skipped: "docker is not installed here" },
      }),
      config,
    );
    expect(ids(f)).toEqual(["info host.skipped", "info host.skipped"]);
  });
  it("reads Docker's memory units", () => {
    expect(parseMemory("18g")).toBe(18 * 1024 ** 3);
    expect(parseMemory("512m")).toBe(512 * 1024 ** 2);
    expect(parseMemory("lots")).toBeUndefined();
  });
});
