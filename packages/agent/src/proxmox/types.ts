import { z } from "zod";

/**
 * The few Proxmox answers the agent reads, checked at the edge. proxmox-api's bundled types
 * date from PVE 8.0/8.1 and are not always right (nextid is a string, loadavg strings,
 * 0/1 booleans), so the shapes that matter live here, verified against PVE-API.md.
 */
const num = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);
const flag = z
  .union([z.number(), z.boolean(), z.string()])
  .transform((v) => v === 1 || v === true || v === "1");

/** GET /access/permissions: path → privilege → propagate flag. */
export const permissionsSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

export const versionSchema = z.object({ version: z.string(), release: z.string().optional() });
export type PveVersion = z.infer<typeof versionSchema>;

export const nodeStatusSchema = z.object({
  cpu: num.default(0),
  loadavg: z.array(num).default([]),
  uptime: num.default(0),
  memory: z.object({ total: num, used: num }),
  rootfs: z.object({ total: num, used: num }).optional(),
  cpuinfo: z.object({ cpus: num }).optional(),
  pveversion: z.string().optional(),
});
export type NodeStatus = z.infer<typeof nodeStatusSchema>;

export const clusterResourceSchema = z.object({
  id: z.string(),
  type: z.string(),
  node: z.string().optional(),
  vmid: num.optional(),
  name: z.string().optional(),
  status: z.string().optional(),
  template: flag.optional(),
  maxcpu: num.optional(),
  maxmem: num.optional(),
  maxdisk: num.optional(),
  lock: z.string().optional(),
  cpu: num.optional(),
  mem: num.optional(),
  disk: num.optional(),
  netin: num.optional(),
  netout: num.optional(),
  uptime: num.optional(),
});
export type ClusterResource = z.infer<typeof clusterResourceSchema>;

export const storageSchema = z.object({
  storage: z.string(),
  type: z.string(),
  content: z.string().default(""),
  active: flag.default(false),
  enabled: flag.default(true),
  shared: flag.default(false),
  total: num.default(0),
  used: num.default(0),
  avail: num.default(0),
});
export type Storage = z.infer<typeof storageSchema>;

export const volumeSchema = z.object({
  volid: z.string(),
  content: z.string().optional(),
  size: num.default(0),
});
export type Volume = z.infer<typeof volumeSchema>;

export const guestStatusSchema = z.object({
  status: z.string(),
  lock: z.string().optional(),
  name: z.string().optional(),
});
export type GuestStatus = z.infer<typeof guestStatusSchema>;

export const taskStatusSchema = z.object({
  upid: z.string(),
  status: z.enum(["running", "stopped"]),
  exitstatus: z.string().optional(),
  type: z.string().optional(),
  id: z.string().optional(),
});
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const taskLogSchema = z.array(z.object({ n: z.number(), t: z.string() }));
export const upidSchema = z.string().regex(/^UPID:[^:]+:/, "is not a UPID");
