import { GUEST_TYPES, type Retention } from "@pylon/shared";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { AppSource } from "./apps.ts";
import { nodes } from "./nodes.ts";

export const BACKUP_STATUSES = ["running", "ok", "failed"] as const;
export const DRILL_STATUSES = ["running", "passed", "failed"] as const;

/**
 * The app as it was when the backup was taken: what a restore (in place or as a new app) runs
 * again. `secretsBox` is the app's sealed secrets then (lib/secret-box.ts).
 */
export interface BackupAppState {
  name: string;
  source: AppSource;
  env: Record<string, string>;
  secretNames: string[];
  secretsBox: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  storage: string;
  bridge: string;
  commit: string | null;
  /** The app's ports then (a restored guest publishes them; a drill checks the HTTP one). */
  ports: { name: string; port: number }[];
}

/**
 * An app's backups (vzdump archives or PBS snapshots), recorded when queued and completed from
 * the agent's result. `appId` has no foreign key: a deleted app's kept backups stay listed and
 * restorable as a new app. `jobId`/`drillJobId` name the jobs whose history explains the row.
 */
export const backups = sqliteTable(
  "backups",
  {
    id: text().primaryKey(),
    appId: text().notNull(),
    appName: text().notNull(),
    nodeId: text()
      .notNull()
      .references(() => nodes.id, { onDelete: "cascade" }),
    vmid: integer().notNull(),
    guestType: text({ enum: GUEST_TYPES }).notNull(),
    storage: text().notNull(),
    volid: text(),
    status: text({ enum: BACKUP_STATUSES }).notNull(),
    sizeBytes: integer(),
    /** When the backup was taken (the archive's ctime once done), ms. */
    takenAt: integer().notNull(),
    note: text(),
    protected: integer({ mode: "boolean" }).notNull().default(false),
    appState: text({ mode: "json" }).$type<BackupAppState>().notNull(),
    jobId: text().notNull(),
    error: text(),
    drillStatus: text({ enum: DRILL_STATUSES }),
    drillAt: integer(),
    drillDetail: text(),
    drillJobId: text(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    index("backups_app_idx").on(t.appId, t.takenAt),
    index("backups_node_volid_idx").on(t.nodeId, t.volid),
    index("backups_job_idx").on(t.jobId),
  ],
);
export type BackupRow = typeof backups.$inferSelect;
export type { Retention };
