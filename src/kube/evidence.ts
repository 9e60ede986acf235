import type { KubeClient, KubeList } from "./client";
import type { PodFailure } from "./pods";

export interface Evidence {
  events: string[];
  logs: string[];
}

/** The failing pod's recent events and its container's last log lines (the previous run's, after a crash). */
export async function gatherEvidence(
  client: KubeClient,
  namespace: string,
  failure: PodFailure,
  logLines = 20,
): Promise<Evidence> {
  const evidence: Evidence = { events: [], logs: [] };
  if (failure.pod === "-") return evidence;
  try {
    const list = await client.get<KubeList>(
      `/api/v1/namespaces/${namespace}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${failure.pod}`)}`,
    );
    evidence.events = list.items
      .sort(
        (a, b) =>
          Date.parse(a.lastTimestamp ?? a.eventTime ?? 0) - Date.parse(b.lastTimestamp ?? b.eventTime ?? 0),
      )
      .slice(-10)
      .map((e) => `${e.type ?? ""} ${e.reason ?? ""}: ${e.message ?? ""}`.trim());
  } catch (error) {
    evidence.events = [`(events unavailable: ${(error as Error).message})`];
  }
  if (
    failure.container &&
    !["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError"].includes(
      failure.reason,
    )
  ) {
    const base = `/api/v1/namespaces/${namespace}/pods/${failure.pod}/log?container=${encodeURIComponent(failure.container)}&tailLines=${logLines}`;
    const text = await client
      .requestText("GET", `${base}&previous=${(failure.restarts ?? 0) > 0}`)
      .catch(() => client.requestText("GET", base))
      .catch((error: Error) => `(logs unavailable: ${error.message})`);
    evidence.logs = text.trimEnd().split("\n").slice(-logLines);
  }
  return evidence;
}
