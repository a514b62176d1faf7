// Restoring a backup (in place or as a new app) and restore drills. A restore is an app.deploy
// in mode `restore`: the backup goes into a new guest, the app runs in it as it was then (its
// source pinned to the commit backed up, its env and secrets of then).
import type { AppDeployParams } from "@pylon/shared";
import { eq } from "drizzle-orm";
import { type AppRow, type BackupRow, backups } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { randomSecret } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import { open, seal } from "../lib/secret-box.ts";
import { type AppSecrets, deployJob } from "./app-deploy.ts";
import { appUrl } from "./app-views.ts";
import { appsConfig, checkCapacity, insertAndDeploy, queueDeploy } from "./apps.ts";
import { guestOf } from "./backups.ts";
import { createJob, type JobOrigin } from "./jobs.ts";
import { getNode } from "./nodes.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey" | "apps">;

/** A finished backup, or a conflict saying why it cannot be restored. */
function restorable(row: BackupRow): { storage: string; volid: string } {
  if (row.status !== "ok" || !row.volid)
    throw new ApiError(
      "conflict",
      `Backup ${row.id} is ${row.status}; only a finished backup can be restored`,
    );
  return { storage: row.storage, volid: row.volid };
}

/** The app's fields as they were in the backup (source, env, secrets, resources, commit). */
function asBackedUp(app: AppRow, b: BackupRow): AppRow {
  const s = b.appState;
  return {
    ...app,
    source: s.source,
    env: s.env,
    secretNames: s.secretNames,
    secretsBox: s.secretsBox,
    cores: s.cores,
    memoryMb: s.memoryMb,
    diskGb: s.diskGb,
    commit: s.commit,
  };
}

const pin = (b: BackupRow) => (b.appState.commit ? { gitRef: b.appState.commit } : {});

/**
 * Replaces the app's guest by the backup: a new guest (own VMID) is restored, runs the app
 * as it was then and takes over the route; the old guest is destroyed only after that. If
 * anything fails the new guest is undone and the app runs on as before.
 */
export async function restoreInPlace(
  deps: Deps,
  app: AppRow,
  b: BackupRow,
  origin: JobOrigin,
): Promise<AppRow> {
  const vmid = guestOf(app);
  if (b.nodeId !== app.nodeId) throw new ApiError("conflict", "The backup is on another node");
  const from = restorable(b);
  const then = asBackedUp(app, b);
  const secrets = await open<AppSecrets>(deps.secretKey, b.appState.secretsBox);
  return queueDeploy(
    deps,
    then,
    "restore",
    origin,
    { restoreFrom: from, replaces: vmid, ...pin(b) },
    secrets,
  );
}

/**
 * Restores a backup as a new app (own name, VMID, ports, route and webhook secret) with the
 * backup's data, source, env and secrets. Works for kept backups of a deleted app too.
 */
export async function restoreAsNew(
  deps: Deps,
  b: BackupRow,
  body: { name: string; domain?: string | undefined },
  origin: JobOrigin,
): Promise<AppRow> {
  const from = restorable(b);
  const node = await getNode(deps, b.nodeId);
  if (!node.credentialHash) throw new ApiError("conflict", `Node '${node.name}' has no enrolled agent`);
  const s = b.appState;
  checkCapacity(node, { cores: s.cores, memoryMb: s.memoryMb, diskGb: s.diskGb, storage: s.storage });
  const now = deps.now();
  const row: AppRow = {
    id: newId("app"),
    name: body.name,
    nodeId: b.nodeId,
    status: "deploying",
    guestType: b.guestType,
    vmid: null,
    address: null,
    cores: s.cores,
    memoryMb: s.memoryMb,
    diskGb: s.diskGb,
    storage: s.storage,
    bridge: s.bridge,
    source: s.source,
    domain: body.domain ?? `${body.name}.${appsConfig(deps).domain}`,
    env: s.env,
    secretNames: s.secretNames,
    // The data carries the app's secrets of then (a database password in its volumes), so they go with it.
    secretsBox: await seal(deps.secretKey, await open<AppSecrets>(deps.secretKey, s.secretsBox)),
    webhookSecretBox: await seal(deps.secretKey, randomSecret(24)),
    commit: s.commit,
    lastJobId: null,
    lastError: null,
    retention: null,
    backupStorage: null,
    snapshots: null,
    availableVersion: null,
    updateCheckedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const portNames = s.ports.length ? s.ports.map((p) => p.name) : ["http"];
  return insertAndDeploy(deps, row, portNames, origin, {
    mode: "restore",
    extra: { restoreFrom: from, ...pin(b) },
  });
}

/** The health check the app had when backed up (its HTTP port then, its catalog check). */
export async function drillCheck(
  deps: Deps,
  b: Pick<BackupRow, "appId" | "appName" | "guestType" | "vmid" | "appState">,
): Promise<AppDeployParams["http"]> {
  const s = b.appState;
  const row = {
    id: b.appId,
    name: b.appName,
    guestType: b.guestType,
    vmid: b.vmid,
    cores: s.cores,
    memoryMb: s.memoryMb,
    diskGb: s.diskGb,
    storage: s.storage,
    bridge: s.bridge,
    source: s.source,
    env: s.env,
    domain: `${b.appName}.${appsConfig(deps).domain}`,
  } as AppRow;
  const secrets = await open<AppSecrets>(deps.secretKey, s.secretsBox);
  const { params } = await deployJob(row, secrets, s.ports, "restore", appUrl(row.domain, 443));
  return params.http;
}

/**
 * Queues a restore drill of the backup: restored into a throwaway guest, started, checked with
 * the app's health check, destroyed; the verdict is recorded on the backup.
 */
export async function queueDrill(deps: Deps, b: BackupRow, origin: JobOrigin): Promise<BackupRow> {
  const from = restorable(b);
  if (b.drillStatus === "running")
    throw new ApiError("conflict", "A drill of this backup is already running");
  const job = await createJob(deps, {
    nodeId: b.nodeId,
    kind: "app.drill",
    params: {
      appId: b.appId,
      name: b.appName,
      type: b.guestType,
      storage: from.storage,
      volid: from.volid,
      sourceVmid: b.vmid,
      guestStorage: b.appState.storage,
      http: await drillCheck(deps, b),
    },
    origin,
  });
  const [row] = await deps.db
    .update(backups)
    .set({ drillStatus: "running", drillJobId: job.id, drillDetail: null, updatedAt: deps.now() })
    .where(eq(backups.id, b.id))
    .returning();
  return row ?? b;
}
