import { z } from "zod";

/**
 * The cluster file: what verify (and later heal) knows about the cluster, its host and its services.
 * One schema validates it and is exported as JSON Schema for editors (npm run schema).
 */

const port = z.number().int().min(1).max(65535);
const workloadRef = z
  .string()
  .regex(
    /^(deployment|statefulset|daemonset)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    "must be deployment/NAME, statefulset/NAME or daemonset/NAME",
  );

const httpProbe = z
  .object({
    url: z.string().regex(/^https?:\/\/\S+$/, "must be an http:// or https:// URL"),
    status: z.number().int().min(100).max(599).default(200),
    body: z.string().optional().describe("text the answer must contain"),
    json: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("keys the JSON answer must have; a value of null only requires the key"),
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  })
  .strict();

const tcpProbe = z
  .object({
    host: z.string().default("127.0.0.1"),
    port,
    timeoutMs: z.number().int().min(100).max(60_000).default(3_000),
  })
  .strict();

const execProbe = z
  .object({
    pod: z.string().min(1).describe("the pod to exec in, e.g. redis-0"),
    container: z.string().optional(),
    command: z.array(z.string()).min(1),
    expect: z.string().describe("text the output must contain, e.g. PONG"),
    timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  })
  .strict();

export const serviceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][-a-z0-9]*$/, "must be a lowercase name"),
    workload: workloadRef.optional(),
    namespace: z.string().optional().describe("default: cluster.namespace"),
    /** host → container (Docker's mapping on the Talos container) → nodePort (the Service). */
    ports: z
      .array(
        z
          .object({
            host: port,
            container: port
              .optional()
              .describe("Docker's container-side port; absent when the host itself serves it"),
            nodePort: port.optional(),
            service: z
              .string()
              .optional()
              .describe("the Service holding the NodePort (default: the service name)"),
          })
          .strict(),
      )
      .default([]),
    probe: z
      .object({ http: httpProbe.optional(), tcp: tcpProbe.optional(), exec: execProbe.optional() })
      .strict()
      .refine((p) => Boolean(p.http || p.tcp || p.exec), "needs one of http, tcp or exec")
      .optional(),
    critical: z.boolean().default(true),
    helm: z
      .object({ release: z.string(), chart: z.string(), version: z.string().optional() })
      .strict()
      .optional(),
  })
  .strict();

export const clusterFileSchema = z
  .object({
    cluster: z
      .object({
        context: z.string().optional(),
        kubeconfig: z.string().optional(),
        namespace: z.string().default("joelclaw"),
        singleNode: z
          .boolean()
          .default(true)
          .describe("a single-node cluster: the control-plane taint must be absent"),
        flannel: z
          .object({
            namespace: z.string().default("kube-system"),
            daemonset: z.string().default("kube-flannel"),
          })
          .strict()
          .default({ namespace: "kube-system", daemonset: "kube-flannel" }),
        restartWarning: z
          .number()
          .int()
          .min(1)
          .default(5)
          .describe("restarts of a container that make a warning"),
      })
      .strict(),
    host: z
      .object({
        colimaProfile: z.string().default("default"),
        diskAlertPercent: z.number().min(1).max(100).default(80),
        talosContainer: z.string().default("joelclaw-controlplane-1"),
        talosMemory: z.string().default("18g"),
        launchdPlists: z.array(z.string()).default([]),
        requiredPath: z.string().default("/opt/homebrew/bin"),
      })
      .strict()
      .default({
        colimaProfile: "default",
        diskAlertPercent: 80,
        talosContainer: "joelclaw-controlplane-1",
        talosMemory: "18g",
        launchdPlists: [],
        requiredPath: "/opt/homebrew/bin",
      }),
    services: z.array(serviceSchema).default([]),
  })
  .strict();

export type ClusterFile = z.output<typeof clusterFileSchema>;
export type ServiceSpec = z.output<typeof serviceSchema>;

export function clusterFileJsonSchema(): unknown {
  return z.toJSONSchema(clusterFileSchema, { io: "input" });
}
