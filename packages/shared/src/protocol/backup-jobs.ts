import { z } from "zod";
import { httpCheckSchema } from "./app-jobs.ts";
import { GUEST_TYPES, vmidSchema } from "./guests.ts";

// Backup, restore-drill, backup-volume and snapshot jobs. Each carries everything the agent
// needs (no lookup in the control plane), so a schedule kept on the node can run them as is.

/** A Proxmox storage id (pve-storage-id). */
export const storageIdSchema = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i, "must be a Proxmox storage id");

/** A Proxmox volume id: `<storage>:<name>` (a backup file, or a PBS snapshot `backup/ct/101/<time>`). */
export const volidSchema = z
  .string()
  .max(500)
  .regex(/^[a-z][a-z0-9\-_.]*[a-z0-9]:[^\s]+$/i, "must be a Proxmox volume id (storage:name)");

/** A snapshot name Proxmox accepts (pve-configid). */
export const snapshotNameSchema = z
  .string()
  .max(40)
  .regex(/^[a-z][a-z0-9_]*$/i, "must start with a letter and hold only letters, digits and _");

const keep = z.number().int().min(1).max(10_000).optional();

/**
 * Retention in Proxmox's own terms (`prune-backups`): the newest keepLast, then the newest
 * backup of each of the last keepHourly hours, keepDaily days, … (PVE 7, 8 and 9 alike; the
 * older `maxfiles` is never used: PVE 9 dropped it).
 */
export const retentionSchema = z
  .object({
    keepLast: keep,
    keepHourly: keep,
    keepDaily: keep,
    keepWeekly: keep,
    keepMonthly: keep,
    keepYearly: keep,
  })
  .strict()
  .meta({ id: "Retention" });
export type Retention = z.infer<typeof retentionSchema>;

const RETENTION_KEYS: [keyof Retention, string][] = [
  ["keepLast", "keep-last"],
  ["keepHourly", "keep-hourly"],
  ["keepDaily", "keep-daily"],
  ["keepWeekly", "keep-weekly"],
  ["keepMonthly", "keep-monthly"],
  ["keepYearly", "keep-yearly"],
];

/** The `prune-backups` property string of a retention; `keep-all=1` when it keeps everything. */
export function pruneBackupsText(r: Retention | null | undefined): string {
  const parts = RETENTION_KEYS.flatMap(([k, name]) => (r?.[k] ? [`${name}=${r[k]}`] : []));
  return parts.length ? parts.join(",") : "keep-all=1";
}

/** app.backup: vzdump of the app's guest (snapshot mode, zstd) to a storage, then its retention. */
export const appBackupParamsSchema = z
  .object({
    appId: z.string().max(64),
    vmid: vmidSchema,
    type: z.enum(GUEST_TYPES),
    storage: storageIdSchema,
    /** One line (vzdump notes-template); the agent adds the job id to find the backup again. */
    notes: z
      .string()
      .max(900)
      .regex(/^[^\n\r\\]*$/, "must be one line without backslashes"),
    /** Pruned after the backup with Proxmox's prune (null: keep all). */
    retention: retentionSchema.nullable(),
  })
  .strict();

export const appBackupResultSchema = z.object({
  volid: volidSchema,
  storage: storageIdSchema,
  size: z.number().min(0),
  ctime: z.number().int(),
  /** The mode vzdump used (suspend when the guest's storage cannot take snapshots). */
  mode: z.string(),
  /** Backups Proxmox's prune removed afterwards. */
  pruned: z.array(volidSchema),
});
export type AppBackupResult = z.infer<typeof appBackupResultSchema>;

/** app.prune: Proxmox's prune of the guest's backups on a storage; a dry run only lists the marks. */
export const appPruneParamsSchema = z
  .object({
    appId: z.string().max(64),
    vmid: vmidSchema,
    type: z.enum(GUEST_TYPES),
    storage: storageIdSchema,
    retention: retentionSchema.nullable(),
    dryRun: z.boolean(),
  })
  .strict();

export const pruneMarkSchema = z.object({
  volid: volidSchema,
  ctime: z.number().int(),
  mark: z.enum(["keep", "remove", "protected", "renamed"]),
});
export const appPruneResultSchema = z.object({
  entries: z.array(pruneMarkSchema),
  removed: z.array(volidSchema),
});
export type AppPruneResult = z.infer<typeof appPruneResultSchema>;

/** app.volume: delete a backup volume, or set its protection (a protected backup is never pruned). */
export const appVolumeParamsSchema = z
  .object({
    appId: z.string().max(64),
    storage: storageIdSchema,
    volid: volidSchema,
    op: z.enum(["delete", "protect", "unprotect"]),
  })
  .strict();

/**
 * app.drill: restores a backup into a throwaway guest (its own VMID, no route, no public port),
 * starts it, runs the app's health check against it and destroys it. `volid` null: the newest
 * backup of `sourceVmid` on `storage` (what a schedule asks for).
 */
export const appDrillParamsSchema = z
  .object({
    appId: z.string().max(64),
    name: z.string().max(63),
    type: z.enum(GUEST_TYPES),
    storage: storageIdSchema,
    volid: volidSchema.nullable(),
    sourceVmid: vmidSchema,
    /** Where the throwaway guest's disks go. */
    guestStorage: storageIdSchema,
    http: httpCheckSchema,
  })
  .strict();

export const appDrillResultSchema = z.object({
  volid: volidSchema,
  passed: z.boolean(),
  /** What passed (the health answer) or why not (Proxmox's or the check's own text). */
  detail: z.string(),
  /** The throwaway guest (destroyed again). */
  vmid: vmidSchema.nullable(),
  durationMs: z.number().int().min(0),
  /** False when the throwaway guest could not be destroyed (the detail says so). */
  cleaned: z.boolean(),
});
export type AppDrillResult = z.infer<typeof appDrillResultSchema>;

export const SNAPSHOT_OPS = ["list", "take", "delete", "rollback"] as const;

/**
 * app.snapshot: list, take, delete or roll back the app's guest snapshots. A take prunes the
 * app's own (`pylon_…`) snapshots beyond `keep`; a rollback starts the guest again (same
 * address, so the app's route and ports still lead to it).
 */
export const appSnapshotParamsSchema = z
  .object({
    appId: z.string().max(64),
    vmid: vmidSchema,
    type: z.enum(GUEST_TYPES),
    op: z.enum(SNAPSHOT_OPS),
    name: snapshotNameSchema.optional(),
    description: z.string().max(200).optional(),
    keep: z.number().int().min(1).max(100).optional(),
  })
  .strict();

export const snapshotInfoSchema = z.object({
  name: z.string(),
  time: z.number().int().nullable(),
  description: z.string(),
  parent: z.string().nullable(),
});

export const appSnapshotResultSchema = z.object({
  snapshots: z.array(snapshotInfoSchema),
  /** Whether the guest's storage can take snapshots, and if not, why (Proxmox's storage table). */
  supported: z.boolean(),
  reason: z.string().nullable(),
  /** ZFS: only the newest snapshot can be rolled back to. */
  latestOnly: z.boolean(),
  /** The snapshot taken, deleted or rolled back to. */
  name: z.string().nullable(),
  /** Older `pylon_` snapshots deleted to keep `keep`. */
  pruned: z.array(z.string()),
});
export type AppSnapshotResult = z.infer<typeof appSnapshotResultSchema>;
