// An app's backups: made by the node's agent (vzdump), recorded here, pruned by Proxmox.
import type { Retention } from "@pylon/shared";
import { and, desc, eq, inArray } from "drizzle-orm";
import {
  type AppRow,
  apps,
  type BackupAppState,
  type BackupRow,
  backups,
  type NodeRow,
} from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError, notFound } from "../errors.ts";
import { newId } from "../lib/ids.ts";
import { backupStorages } from "./backup-views.ts";
import { createJob, type JobOrigin, newJobId } from "./jobs.ts";
import { getNode } from "./nodes.ts";
import { portsOf } from "./ports.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey" | "apps">;

function invalid(path: string, message: string): ApiError {
  return new ApiError("validation_failed", `Invalid request body: ${path} ${message}`, {
    fields: [{ path, message }],
  });
}

/** The app's guest, when it can be backed up (or restored into) now. */
export function guestOf(app: AppRow): number {
  if (app.vmid === null)
    throw new ApiError("conflict", `App '${app.name}' has no guest yet (status ${app.status})`);
  if (app.status === "deploying" || app.status === "deleting")
    throw new ApiError("conflict", `App '${app.name}' is ${app.status}; wait for it to finish`);
  return app.vmid;
}

/** Refuses a storage the node does not have or that cannot hold backups (when the inventory knows). */
export function checkBackupStorage(node: NodeRow, storage: string, path = "storage"): void {
  if (!node.inventory) return;
  const ok = backupStorages(node);
  if (!ok.some((s) => s.storage === storage))
    throw invalid(
      path,
      `'${storage}' is not a storage of node '${node.name}' that holds backups (has: ${ok.map((s) => s.storage).join(", ") || "none"})`,
    );
}

/** Where the app's backups go: its own storage, else the node's, else the node's only backup storage. */
export function backupStorageFor(app: AppRow, node: NodeRow): string | null {
  if (app.backupStorage) return app.backupStorage;
  if (node.backupStorage) return node.backupStorage;
  const list = backupStorages(node);
  return list.find((s) => s.storage === "local")?.storage ?? list[0]?.storage ?? null;
}

/** The app as it is now, for a restore to bring back. */
export async function stateOf(deps: Pick<AppDeps, "db">, app: AppRow): Promise<BackupAppState> {
  return {
    name: app.name,
    source: app.source,
    env: app.env,
    secretNames: app.secretNames,
    secretsBox: app.secretsBox,
    cores: app.cores,
    memoryMb: app.memoryMb,
    diskGb: app.diskGb,
    storage: app.storage,
    bridge: app.bridge,
    commit: app.commit,
    ports: await portsOf(deps, app.id),
  };
}

/** An app's backups, newest first (kept backups of a deleted app too). */
export function listBackups(deps: Pick<AppDeps, "db">, appId?: string): Promise<BackupRow[]> {
  const q = deps.db.select().from(backups);
  return (appId ? q.where(eq(backups.appId, appId)) : q).orderBy(desc(backups.takenAt), desc(backups.id));
}

/** One backup (of `appId`, when given) or a 404. */
export async function getBackup(deps: Pick<AppDeps, "db">, id: string, appId?: string): Promise<BackupRow> {
  const [row] = await deps.db.select().from(backups).where(eq(backups.id, id));
  if (!row || (appId !== undefined && row.appId !== appId)) throw notFound("Backup");
  return row;
}

/** Which of the given app ids still exist. */
export async function existingApps(deps: Pick<AppDeps, "db">, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await deps.db
    .select({ id: apps.id })
    .from(apps)
    .where(inArray(apps.id, [...new Set(ids)]));
  return new Set(rows.map((r) => r.id));
}

/**
 * Queues a backup of the app's guest: recorded first (status running, the app as it is now),
 * then an app.backup job with the app's retention. The notes name the app and its commit.
 */
export async function createBackup(
  deps: Deps,
  app: AppRow,
  body: { storage?: string | undefined; note?: string | undefined },
  origin: JobOrigin,
): Promise<BackupRow> {
  const vmid = guestOf(app);
  const node = await getNode(deps, app.nodeId);
  const storage = body.storage ?? backupStorageFor(app, node);
  if (!storage)
    throw new ApiError(
      "conflict",
      `Node '${node.name}' has no storage that holds backups; add one in Proxmox or name one`,
    );
  checkBackupStorage(node, storage);
  const now = deps.now();
  const jobId = newJobId(deps);
  const row: BackupRow = {
    id: newId("bkp"),
    appId: app.id,
    appName: app.name,
    nodeId: app.nodeId,
    vmid,
    guestType: app.guestType,
    storage,
    volid: null,
    status: "running",
    sizeBytes: null,
    takenAt: now,
    note: body.note ?? null,
    protected: false,
    appState: await stateOf(deps, app),
    jobId,
    error: null,
    drillStatus: null,
    drillAt: null,
    drillDetail: null,
    drillJobId: null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.db.insert(backups).values(row);
  const notes = [
    `Pylon app ${app.name}`,
    ...(app.commit ? [`commit ${app.commit.slice(0, 12)}`] : []),
    ...(body.note ? [body.note] : []),
  ].join(" · ");
  try {
    await createJob(deps, {
      id: jobId,
      nodeId: app.nodeId,
      kind: "app.backup",
      params: { appId: app.id, vmid, type: app.guestType, storage, notes, retention: app.retention },
      origin,
    });
  } catch (err) {
    await deps.db.delete(backups).where(eq(backups.id, row.id));
    throw err;
  }
  return row;
}

/** Deletes a backup: a failed one's record at once; a done one through the agent (null then). */
export async function deleteBackup(deps: Deps, row: BackupRow, origin: JobOrigin): Promise<string | null> {
  if (row.status === "running") throw new ApiError("conflict", "This backup is still being made");
  if (row.protected) throw new ApiError("conflict", "This backup is protected; unprotect it first");
  if (row.status === "failed" || !row.volid) {
    await deps.db.delete(backups).where(eq(backups.id, row.id));
    return null;
  }
  const job = await createJob(deps, {
    nodeId: row.nodeId,
    kind: "app.volume",
    params: { appId: row.appId, storage: row.storage, volid: row.volid, op: "delete" },
    origin,
  });
  return job.id;
}

/** Protects or unprotects a backup (a protected backup is never pruned); applied when the agent is done. */
export async function protectBackup(
  deps: Deps,
  row: BackupRow,
  value: boolean,
  origin: JobOrigin,
): Promise<string> {
  if (row.status !== "ok" || !row.volid)
    throw new ApiError("conflict", "Only a finished backup can be protected");
  const job = await createJob(deps, {
    nodeId: row.nodeId,
    kind: "app.volume",
    params: { appId: row.appId, storage: row.storage, volid: row.volid, op: value ? "protect" : "unprotect" },
    origin,
  });
  return job.id;
}

/** Sets the app's retention and backup storage. */
export async function setBackupSettings(
  deps: Deps,
  app: AppRow,
  body: { retention: Retention | null; storage: string | null },
): Promise<AppRow> {
  if (body.storage) checkBackupStorage(await getNode(deps, app.nodeId), body.storage);
  const retention = body.retention && Object.values(body.retention).some(Boolean) ? body.retention : null;
  const [row] = await deps.db
    .update(apps)
    .set({ retention, backupStorage: body.storage, updatedAt: deps.now() })
    .where(eq(apps.id, app.id))
    .returning();
  return row ?? app;
}

/** Queues Proxmox's prune of the app's backups on its storage (a dry run lists the marks only). */
export async function queuePrune(
  deps: Deps,
  app: AppRow,
  body: { dryRun: boolean; retention?: Retention | null | undefined },
  origin: JobOrigin,
): Promise<string> {
  const vmid = guestOf(app);
  const node = await getNode(deps, app.nodeId);
  const storage = backupStorageFor(app, node);
  if (!storage) throw new ApiError("conflict", `Node '${node.name}' has no storage that holds backups`);
  if (!body.dryRun && body.retention !== undefined)
    throw invalid("retention", "can only be tried in a dry run; save it as the app's retention to apply it");
  const retention = body.retention !== undefined ? body.retention : app.retention;
  const job = await createJob(deps, {
    nodeId: app.nodeId,
    kind: "app.prune",
    params: { appId: app.id, vmid, type: app.guestType, storage, retention, dryRun: body.dryRun },
    origin,
  });
  return job.id;
}

/** The backup rows of a node by volume id. */
export async function backupsByVolid(
  deps: Pick<AppDeps, "db">,
  nodeId: string,
  volids: string[],
): Promise<Map<string, BackupRow>> {
  if (!volids.length) return new Map();
  const rows = await deps.db
    .select()
    .from(backups)
    .where(and(eq(backups.nodeId, nodeId), inArray(backups.volid, volids)));
  return new Map(rows.flatMap((r) => (r.volid ? [[r.volid, r]] : [])));
}
