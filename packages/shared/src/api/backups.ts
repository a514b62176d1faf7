import { z } from "zod";

import { retentionSchema, storageIdSchema } from "../protocol/backup-jobs.ts";
import { fqdnSchema } from "./apps.ts";
import { idSchema, timestampSchema } from "./common.ts";
import { dnsNameSchema } from "./nodes.ts";

/** An app's backup as the API shows it. */
export const backupSchema = z
  .object({
    id: idSchema,
    appId: z.string(),
    appName: z.string(),
    appExists: z.boolean().meta({ description: "False once the app was deleted with its backups kept" }),
    nodeId: idSchema,
    storage: z.string(),
    volid: z.string().nullable().meta({ description: "Proxmox's volume id, once the backup is done" }),
    status: z.enum(["running", "ok", "failed"]),
    sizeBytes: z.number().int().nullable(),
    takenAt: timestampSchema,
    note: z.string().nullable(),
    commit: z.string().nullable().meta({ description: "The app's commit when backed up (Git apps)" }),
    protected: z.boolean().meta({ description: "Protected backups are never pruned or deleted" }),
    error: z.string().nullable(),
    jobId: z.string(),
    verified: z
      .object({
        status: z.enum(["running", "passed", "failed"]),
        at: timestampSchema.nullable(),
        detail: z.string().nullable(),
        jobId: z.string().nullable(),
      })
      .nullable()
      .meta({ description: "The last restore drill: restored into a throwaway guest and health-checked" }),
  })
  .meta({ id: "Backup" });
export type Backup = z.infer<typeof backupSchema>;

export const backupListSchema = z
  .object({
    items: z.array(backupSchema),
    retention: retentionSchema.nullable().meta({ description: "Applied after each backup (null: keep all)" }),
    storage: z.string().nullable().meta({ description: "Where new backups go (the app's, else the node's)" }),
    appStorage: z
      .string()
      .nullable()
      .meta({ description: "The app's own backup storage (null: the node's)" }),
    storages: z
      .array(z.object({ storage: z.string(), type: z.string(), avail: z.number() }))
      .meta({ description: "The node's storages that hold backups" }),
  })
  .meta({ id: "BackupList" });

export const allBackupsSchema = z.object({ items: z.array(backupSchema) }).meta({ id: "AllBackups" });

export const createBackupBodySchema = z
  .object({
    storage: storageIdSchema
      .optional()
      .meta({ description: "Default: the app's, else the node's backup storage" }),
    note: z
      .string()
      .max(200)
      .regex(/^[^\n\r\\]*$/, "must be one line without backslashes")
      .optional(),
  })
  .strict()
  .meta({ id: "CreateBackup" });

export const updateBackupBodySchema = z
  .object({ protected: z.boolean() })
  .strict()
  .meta({ id: "UpdateBackup" });

export const restoreBackupBodySchema = z
  .discriminatedUnion("target", [
    z.object({ target: z.literal("in-place") }).strict(),
    z
      .object({
        target: z.literal("new"),
        name: dnsNameSchema,
        domain: fqdnSchema.optional().meta({ description: "Default: <name>.<apps domain>" }),
      })
      .strict(),
  ])
  .meta({ id: "RestoreBackup" });
export type RestoreBackupBody = z.infer<typeof restoreBackupBodySchema>;

export const restoreAsNewBodySchema = z
  .object({ name: dnsNameSchema, domain: fqdnSchema.optional() })
  .strict()
  .meta({ id: "RestoreAsNew" });

export const backupSettingsBodySchema = z
  .object({
    retention: retentionSchema.nullable().meta({ description: "null: keep every backup" }),
    storage: storageIdSchema.nullable().meta({ description: "null: the node's backup storage" }),
  })
  .strict()
  .meta({ id: "BackupSettings" });

export const pruneBodySchema = z
  .object({
    dryRun: z.boolean().meta({ description: "Only show what would go" }),
    retention: retentionSchema
      .nullable()
      .optional()
      .meta({ description: "Try another retention (dry run); default: the app's" }),
  })
  .strict()
  .meta({ id: "PruneBackups" });

export const pruneResultSchema = z
  .object({
    jobId: z.string(),
    entries: z.array(
      z.object({
        volid: z.string(),
        backupId: z.string().nullable(),
        takenAt: timestampSchema,
        mark: z.enum(["keep", "remove", "protected", "renamed"]),
      }),
    ),
  })
  .meta({ id: "PruneResult" });

export const snapshotListSchema = z
  .object({
    items: z.array(
      z.object({
        name: z.string(),
        takenAt: timestampSchema.nullable(),
        description: z.string(),
        own: z.boolean().meta({ description: "Taken by Pylon (kept to the newest N per app)" }),
        canRollback: z.boolean(),
      }),
    ),
    supported: z.boolean(),
    reason: z.string().nullable().meta({ description: "Why this storage cannot take snapshots" }),
    latestOnly: z.boolean().meta({ description: "ZFS: only the newest snapshot can be rolled back to" }),
  })
  .meta({ id: "SnapshotList" });

export const snapshotBodySchema = z
  .object({ description: z.string().max(200).optional() })
  .strict()
  .meta({ id: "TakeSnapshot" });

export const updateNodeBodySchema = z
  .object({
    backupStorage: storageIdSchema
      .nullable()
      .meta({ description: "Where apps on this node back up by default (a storage holding backups)" }),
  })
  .strict()
  .meta({ id: "UpdateNode" });

export const jobAcceptedSchema = z.object({ jobId: z.string() }).meta({ id: "JobAccepted" });
