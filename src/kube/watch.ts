import { KubeApiError, type KubeClient, type KubeList, type KubeObject } from "./client";

/** How long one watch connection may last; the server ends it and the watch resumes. */
const WATCH_SECONDS = 300;
const MAX_BACKOFF_MS = 2_000;

export interface ListWatchOptions {
  /** e.g. /apis/apps/v1/namespaces/joelclaw/replicasets */
  collection: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Called after the first list and after every change, with the cache up to date. */
  onChange: () => void;
  /** Reports connection trouble (API server restarting) and recoveries. */
  onNotice?: (message: string) => void;
}

/**
 * A cache of one collection kept current by list-then-watch: a watch the server ends resumes from the
 * last resourceVersion, 410 Gone re-lists, and a lost connection (API server restart) is retried with
 * backoff until it answers again. Runs until the signal aborts.
 */
export class ListWatch {
  readonly objects = new Map<string, KubeObject>();
  readonly #client: KubeClient;
  readonly #options: ListWatchOptions;
  #resourceVersion = "";
  #firstList: Promise<void>;
  #resolveFirst!: () => void;

  constructor(client: KubeClient, options: ListWatchOptions) {
    this.#client = client;
    this.#options = options;
    this.#firstList = new Promise((resolve) => {
      this.#resolveFirst = resolve;
    });
  }

  /** Resolves after the first successful list. */
  get synced(): Promise<void> {
    return this.#firstList;
  }

  #query(extra: Record<string, string>): string {
    const q = new URLSearchParams(extra);
    if (this.#options.labelSelector) q.set("labelSelector", this.#options.labelSelector);
    if (this.#options.fieldSelector) q.set("fieldSelector", this.#options.fieldSelector);
    return `${this.#options.collection}?${q.toString()}`;
  }

  async #list(): Promise<void> {
    const list = await this.#client.get<KubeList>(this.#query({}));
    this.objects.clear();
    for (const item of list.items) this.objects.set(item.metadata.name, item);
    this.#resourceVersion = list.metadata.resourceVersion;
    this.#resolveFirst();
    this.#options.onChange();
  }

  async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.#list();
          needList = false;
        }
        const path = this.#query({
          watch: "1",
          resourceVersion: this.#resourceVersion,
          allowWatchBookmarks: "true",
          timeoutSeconds: String(WATCH_SECONDS),
        });
        await this.#client.watchOnce(
          path,
          (event) => {
            if (failures > 0) {
              this.#options.onNotice?.(
                `the API server answers again; watch of ${this.#options.collection} resumed`,
              );
              failures = 0;
            }
            if (event.type === "ERROR") {
              const code = (event.object as { code?: number }).code;
              throw new KubeApiError(code ?? 500, "WatchError", JSON.stringify(event.object));
            }
            const rv = event.object.metadata?.resourceVersion;
            if (rv) this.#resourceVersion = rv;
            if (event.type === "BOOKMARK") return;
            if (event.type === "DELETED") this.objects.delete(event.object.metadata.name);
            else this.objects.set(event.object.metadata.name, event.object);
            this.#options.onChange();
          },
          signal,
        );
        if (failures > 0)
          this.#options.onNotice?.(
            `the API server answers again; watch of ${this.#options.collection} resumed`,
          );
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof KubeApiError && error.status === 410) {
          needList = true;
          continue;
        }
        failures++;
        if (failures === 1)
          this.#options.onNotice?.(
            `watch of ${this.#options.collection} lost (${(error as Error).message}); retrying`,
          );
        needList = needList || !(error instanceof KubeApiError && error.status === 0);
        await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** (failures - 1), MAX_BACKOFF_MS)));
      }
    }
  }
}
