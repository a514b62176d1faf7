// The API view of backups, and the backup-capable storages of a node.
import type { Backup } from "@pylon/shared";
import type { BackupRow, NodeRow } from "../db/schema/index.ts";
import { iso, isoOrNull } from "../lib/time.ts";

/** The API view of a backup row. */
export function toBackup(row: BackupRow, appExists: boolean): Backup {
  return {
    id: row.id,
    appId: row.appId,
    appName: row.appName,
    appExists,
    nodeId: row.nodeId,
    storage: row.storage,
    volid: row.volid,
    status: row.status,
    sizeBytes: row.sizeBytes,
    takenAt: iso(row.takenAt),
    note: row.note,
    commit: row.appState.commit,
    protected: row.protected,
    error: row.error,
    jobId: row.jobId,
    verified: row.drillStatus
      ? {
          status: row.drillStatus,
          at: isoOrNull(row.drillAt),
          detail: row.drillDetail,
          jobId: row.drillJobId,
        }
      : null,
  };
}

/** The node's storages that hold backups (from its last inventory). */
export function backupStorages(node: NodeRow): { storage: string; type: string; avail: number }[] {
  return (node.inventory?.storages ?? [])
    .filter((s) => s.content.includes("backup") && s.active)
    .map((s) => ({ storage: s.storage, type: s.type, avail: s.avail }));
}
