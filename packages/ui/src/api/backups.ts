// Backups, retention, restores, drills and snapshots of an app (reads and writes).
import type { App, Backup, Retention } from "@pylon/shared";
import { request } from "./client.ts";

const appPath = (id: string, rest = "") => `/api/v1/apps/${encodeURIComponent(id)}${rest}`;
const backupPath = (appId: string, backupId: string, rest = "") =>
  appPath(appId, `/backups/${encodeURIComponent(backupId)}${rest}`);

export type { Backup, Retention };

export interface BackupList {
  items: Backup[];
  retention: Retention | null;
  storage: string | null;
  appStorage: string | null;
  storages: { storage: string; type: string; avail: number }[];
}

export interface PruneMark {
  volid: string;
  backupId: string | null;
  takenAt: string;
  mark: "keep" | "remove" | "protected" | "renamed";
}

export interface SnapshotList {
  items: { name: string; takenAt: string | null; description: string; own: boolean; canRollback: boolean }[];
  supported: boolean;
  reason: string | null;
  latestOnly: boolean;
}

export const listBackups = (appId: string) => request<BackupList>("GET", appPath(appId, "/backups"));

export const backUpNow = (appId: string, body: { storage?: string; note?: string }) =>
  request<Backup>("POST", appPath(appId, "/backups"), { body });

export const saveBackupSettings = (appId: string, retention: Retention | null, storage: string | null) =>
  request<App>("PUT", appPath(appId, "/backups/settings"), { body: { retention, storage } });

/** Proxmox's marks for every backup under a retention, nothing removed. */
export const pruneDryRun = (appId: string, retention: Retention | null) =>
  request<{ jobId: string; entries: PruneMark[] }>("POST", appPath(appId, "/backups/prune"), {
    body: { dryRun: true, retention },
  });

export const setProtected = (appId: string, backupId: string, value: boolean) =>
  request<{ jobId: string }>("PATCH", backupPath(appId, backupId), { body: { protected: value } });

export const deleteBackup = (appId: string, backupId: string) =>
  request<{ jobId: string } | undefined>("DELETE", backupPath(appId, backupId));

export const restoreInPlace = (appId: string, backupId: string) =>
  request<App>("POST", backupPath(appId, backupId, "/restore"), { body: { target: "in-place" } });

export const restoreAsNew = (appId: string, backupId: string, name: string) =>
  request<App>("POST", backupPath(appId, backupId, "/restore"), { body: { target: "new", name } });

export const drillBackup = (appId: string, backupId: string) =>
  request<Backup>("POST", backupPath(appId, backupId, "/drill"));

export const listSnapshots = (appId: string) => request<SnapshotList>("GET", appPath(appId, "/snapshots"));

export const takeSnapshot = (appId: string, description?: string) =>
  request<{ jobId: string }>("POST", appPath(appId, "/snapshots"), {
    body: description ? { description } : {},
  });

export const deleteSnapshot = (appId: string, name: string) =>
  request<{ jobId: string }>("DELETE", appPath(appId, `/snapshots/${encodeURIComponent(name)}`));

export const rollbackSnapshot = (appId: string, name: string) =>
  request<App>("POST", appPath(appId, `/snapshots/${encodeURIComponent(name)}/rollback`));

export const setNodeBackupStorage = (nodeId: string, backupStorage: string | null) =>
  request<unknown>("PATCH", `/api/v1/nodes/${encodeURIComponent(nodeId)}`, { body: { backupStorage } });
