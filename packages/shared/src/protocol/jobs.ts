import { z } from "zod";
import {
  appActionParamsSchema,
  appDeleteParamsSchema,
  appDeployParamsSchema,
  appDiagnosticsParamsSchema,
  appLogsParamsSchema,
  appPlanParamsSchema,
  appResizeParamsSchema,
} from "./app-jobs.ts";
import {
  appBackupParamsSchema,
  appDrillParamsSchema,
  appPruneParamsSchema,
  appSnapshotParamsSchema,
  appVolumeParamsSchema,
} from "./backup-jobs.ts";
import { GUEST_TYPES, POWER_ACTIONS, vmidSchema } from "./guests.ts";
import { vmTemplateParamsSchema } from "./vm-template.ts";

/** Every kind of work the agent runs, with its parameters. One handler per kind in packages/agent/src/jobs. */
export const JOB_KINDS = [
  "node.inventory",
  "guest.power",
  "app.deploy",
  "app.action",
  "app.delete",
  "app.resize",
  "app.diagnostics",
  "app.logs",
  "app.plan",
  "node.vmTemplate",
  "app.backup",
  "app.prune",
  "app.volume",
  "app.drill",
  "app.snapshot",
] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const jobKindSchema = z.enum(JOB_KINDS);

export { GUEST_TYPES, POWER_ACTIONS, vmidSchema } from "./guests.ts";

export const jobParamsSchemas = {
  "node.inventory": z.object({}).strict(),
  "guest.power": z
    .object({ vmid: vmidSchema, type: z.enum(GUEST_TYPES), action: z.enum(POWER_ACTIONS) })
    .strict(),
  "app.deploy": appDeployParamsSchema,
  "app.action": appActionParamsSchema,
  "app.delete": appDeleteParamsSchema,
  "app.resize": appResizeParamsSchema,
  "app.diagnostics": appDiagnosticsParamsSchema,
  "app.logs": appLogsParamsSchema,
  "app.plan": appPlanParamsSchema,
  "node.vmTemplate": vmTemplateParamsSchema,
  "app.backup": appBackupParamsSchema,
  "app.prune": appPruneParamsSchema,
  "app.volume": appVolumeParamsSchema,
  "app.drill": appDrillParamsSchema,
  "app.snapshot": appSnapshotParamsSchema,
} as const satisfies Record<JobKind, z.ZodType>;

export type JobParams<K extends JobKind> = z.infer<(typeof jobParamsSchemas)[K]>;

/** Job states as the control plane records them. */
export const JOB_STATUSES = [
  "queued",
  "offered",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "lost",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled", "lost"];

/** What node.inventory reports. */
export const inventorySchema = z.object({
  pveVersion: z.string(),
  node: z.object({
    cpu: z.number(),
    cpus: z.number().int(),
    memTotal: z.number(),
    memUsed: z.number(),
    uptime: z.number(),
  }),
  guests: z.array(
    z.object({
      vmid: z.number().int(),
      type: z.enum(GUEST_TYPES),
      name: z.string(),
      status: z.string(),
      template: z.boolean(),
      cpus: z.number(),
      maxmem: z.number(),
      maxdisk: z.number(),
      lock: z.string().nullable(),
    }),
  ),
  storages: z.array(
    z.object({
      storage: z.string(),
      type: z.string(),
      content: z.array(z.string()),
      total: z.number(),
      used: z.number(),
      avail: z.number(),
      active: z.boolean(),
    }),
  ),
  templates: z.array(z.object({ volid: z.string(), size: z.number() })),
});
export type Inventory = z.infer<typeof inventorySchema>;

/** Host metrics the agent sends with each heartbeat. */
export const nodeMetricsSchema = z.object({
  cpu: z.number().min(0).max(1).meta({ description: "CPU load, 0..1" }),
  cpus: z.number().int().min(0),
  memTotal: z.number().min(0),
  memUsed: z.number().min(0),
  diskTotal: z.number().min(0),
  diskUsed: z.number().min(0),
  uptime: z.number().min(0),
  loadavg: z.array(z.number()).max(3),
});
export type NodeMetrics = z.infer<typeof nodeMetricsSchema>;

/**
 * One guest's figures as /cluster/resources gives them, sent with each heartbeat for the guests
 * on the agent's node. Net counters are bytes since the guest started, not rates.
 */
export const guestMetricsSchema = z.object({
  vmid: z.number().int().min(1),
  // Added later, optional (older agents send figures only): with them the control plane keeps
  // the node's guest list current between inventory jobs.
  type: z.enum(GUEST_TYPES).optional(),
  name: z.string().max(100).optional(),
  lock: z.string().max(50).nullable().optional(),
  status: z.string().max(50),
  cpu: z.number().min(0).meta({ description: "CPU load, 0..1 of the guest's cores" }),
  cpus: z.number().min(0),
  mem: z.number().min(0),
  maxmem: z.number().min(0),
  disk: z.number().min(0),
  maxdisk: z.number().min(0),
  netin: z.number().min(0),
  netout: z.number().min(0),
  uptime: z.number().min(0),
});
export type GuestMetrics = z.infer<typeof guestMetricsSchema>;

/** The most guests one heartbeat carries. */
export const MAX_HEARTBEAT_GUESTS = 1000;
