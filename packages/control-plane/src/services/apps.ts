import type { AppDeployParams, CreateAppBody, JobKind } from "@pylon/shared";
import type { CatalogEntry } from "@pylon/shared/catalog/schema";
import { snapshotCapability } from "@pylon/shared/storage-facts";
import { asc, eq } from "drizzle-orm";
import { type AppRow, apps, type NodeRow } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError, notFound } from "../errors.ts";
import { randomSecret } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import { open, seal } from "../lib/secret-box.ts";
import { type AppSecrets, deployJob, httpPortName } from "./app-deploy.ts";
import { appUrl } from "./app-views.ts";
import { loadCatalog } from "./catalog.ts";
import { createJob, type JobOrigin } from "./jobs.ts";
import { getNode } from "./nodes.ts";
import { applyPolicyToNewApp } from "./policy.ts";
import { allocatePort, freePorts, portsOf } from "./ports.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey" | "apps">;

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const DEFAULTS = { cores: 1, memoryMb: 1024, diskGb: 8 };

/** Where apps are served and how many of its own snapshots each keeps (config, with defaults). */
export function appsConfig(deps: Pick<AppDeps, "apps">) {
  return { keepSnapshots: 3, ...(deps.apps ?? { domain: "pylon.internal", httpsPort: 443 }) };
}

function invalid(path: string, message: string): ApiError {
  return new ApiError("validation_failed", `Invalid request body: ${path} ${message}`, {
    fields: [{ path, message }],
  });
}

/** Refuses resources the node cannot give, from its last inventory and heartbeat figures. */
export function checkCapacity(
  node: NodeRow,
  want: { cores: number; memoryMb: number; diskGb: number; storage: string },
) {
  const m = node.metrics;
  if (m && want.cores > m.cpus)
    throw invalid("target.cores", `must be at most ${m.cpus} (the node's CPU count)`);
  if (m && want.memoryMb * MiB > m.memTotal - m.memUsed) {
    throw invalid(
      "target.memoryMb",
      `must fit the node's free memory (${Math.floor((m.memTotal - m.memUsed) / MiB)} MiB free)`,
    );
  }
  const storages = node.inventory?.storages;
  if (storages) {
    const s = storages.find((x) => x.storage === want.storage);
    if (!s)
      throw invalid(
        "target.storage",
        `'${want.storage}' is not a storage of this node (has: ${storages.map((x) => x.storage).join(", ")})`,
      );
    if (!s.content.includes("rootdir") && !s.content.includes("images")) {
      throw invalid("target.storage", `'${want.storage}' cannot hold guest disks`);
    }
    if (want.diskGb * GiB > s.avail)
      throw invalid("target.diskGb", `must fit '${want.storage}' (${Math.floor(s.avail / GiB)} GiB free)`);
  }
}

/**
 * Whether the app's guest will be able to take snapshots, known before deploying from the
 * storage's type (Proxmox's table): a CT on a directory storage is a raw image, so no. Null when
 * it depends on what the deploy makes (a VM's disk format there); the deploy then records it.
 */
export function expectedSnapshots(node: NodeRow, storage: string, container: boolean): boolean | null {
  const type = node.inventory?.storages.find((s) => s.storage === storage)?.type;
  if (!type) return null;
  const c = snapshotCapability(storage, type, container ? "raw" : "unknown");
  if (c.supported) return true;
  return container || !["dir", "nfs", "cifs", "glusterfs"].includes(type) ? false : null;
}

/** Every app, by name. */
export async function listApps(deps: Pick<AppDeps, "db">): Promise<AppRow[]> {
  return deps.db.select().from(apps).orderBy(asc(apps.name));
}

/** One app or a 404. */
export async function getApp(deps: Pick<AppDeps, "db">, id: string): Promise<AppRow> {
  const [row] = await deps.db.select().from(apps).where(eq(apps.id, id));
  if (!row) throw notFound("App");
  return row;
}

/** The app's sealed secrets. */
export async function appSecrets(deps: Pick<AppDeps, "secretKey">, row: AppRow): Promise<AppSecrets> {
  return open<AppSecrets>(deps.secretKey, row.secretsBox);
}

/**
 * Validates a new app, reserves its name, domain and ports, and queues its deploy job. Nothing
 * stays behind when a step here fails.
 */
export async function createApp(deps: Deps, body: CreateAppBody, origin: JobOrigin): Promise<AppRow> {
  const node = await getNode(deps, body.target.nodeId);
  if (!node.credentialHash) throw new ApiError("conflict", `Node '${node.name}' has no enrolled agent`);
  const cfg = appsConfig(deps);
  const domain = body.domain ?? `${body.name}.${cfg.domain}`;
  const secrets: AppSecrets = { secrets: body.secrets, catalogSecrets: {}, secretParameters: {} };
  let source: AppRow["source"];
  let minimum = DEFAULTS;
  let portNames: string[];
  if (body.source.type === "catalog") {
    const { CatalogParameterError, generateSecrets, getCatalogEntry, resolveParameters } =
      await loadCatalog();
    const entry = getCatalogEntry(body.source.catalogId);
    if (!entry) throw invalid("source.catalogId", `'${body.source.catalogId}' is not in the catalog`);
    try {
      resolveParameters(entry, body.source.parameters);
    } catch (e) {
      if (!(e instanceof CatalogParameterError)) throw e;
      const fields = e.issues.map((i) => ({ path: `source.parameters.${i.parameter}`, message: i.message }));
      throw new ApiError(
        "validation_failed",
        `Invalid request body: ${fields.map((f) => `${f.path} ${f.message}`).join("; ")}`,
        { fields },
      );
    }
    const secretNames = new Set(entry.parameters.filter((p) => p.type === "secret").map((p) => p.name));
    const parameters: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(body.source.parameters)) {
      if (secretNames.has(k)) secrets.secretParameters[k] = String(v);
      else parameters[k] = v;
    }
    secrets.catalogSecrets = generateSecrets(entry);
    source = { type: "catalog", catalogId: entry.id, name: entry.name, version: entry.version, parameters };
    minimum = {
      cores: entry.minResources.cores,
      memoryMb: entry.minResources.memoryMiB,
      diskGb: entry.minResources.diskGiB,
    };
    portNames = catalogPortNames(entry);
  } else {
    const g = body.source;
    if (g.deployKey) secrets.deployKey = g.deployKey;
    if (!g.url.startsWith("https://") && !g.deployKey)
      throw invalid("source.deployKey", "is required for an ssh repository URL");
    if (g.hostKey && g.url.startsWith("https://"))
      throw invalid("source.hostKey", "is for an ssh repository URL (https is checked by its certificate)");
    source = {
      type: "git",
      url: g.url,
      ref: g.ref,
      subdirectory: g.subdirectory ?? null,
      buildMode: g.buildMode,
      port: g.port ?? null,
      ...(g.hostKey ? { hostKey: { fingerprint: g.hostKey, keyType: null, pinned: true } } : {}),
      ...(g.plan && Object.keys(g.plan).length ? { plan: g.plan } : {}),
    };
    portNames = ["http"];
  }
  const want = {
    cores: body.target.cores ?? minimum.cores,
    memoryMb: body.target.memoryMb ?? Math.max(minimum.memoryMb, 512),
    diskGb: body.target.diskGb ?? Math.max(minimum.diskGb, 4),
    storage: body.target.storage,
  };
  for (const k of ["cores", "memoryMb", "diskGb"] as const) {
    if (want[k] < minimum[k]) throw invalid(`target.${k}`, `must be at least ${minimum[k]} for this app`);
  }
  checkCapacity(node, want);

  const now = deps.now();
  const names = [
    ...Object.keys(secrets.secrets),
    ...Object.keys(secrets.secretParameters),
    ...Object.keys(secrets.catalogSecrets),
  ];
  const row: AppRow = {
    id: newId("app"),
    name: body.name,
    nodeId: node.id,
    status: "deploying",
    guestType: body.target.type === "vm" ? "qemu" : body.target.type,
    vmid: null,
    address: null,
    ...want,
    bridge: body.target.bridge,
    source,
    domain,
    env: body.env,
    secretNames: secrets.deployKey ? [...names, "__deploy_key"] : names,
    secretsBox: await seal(deps.secretKey, secrets),
    webhookSecretBox: await seal(deps.secretKey, randomSecret(24)),
    commit: null,
    lastJobId: null,
    lastError: null,
    retention: null,
    backupStorage: null,
    snapshots: expectedSnapshots(node, want.storage, body.target.type === "lxc"),
    availableVersion: null,
    updateCheckedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const commit = body.source.type === "git" ? body.source.commit : undefined;
  return insertAndDeploy(deps, row, portNames, origin, {
    mode: "create",
    ...(commit ? { commit } : {}),
  });
}

/**
 * Inserts a new app (its name and domain unique), reserves its ports and queues its first
 * deploy (or clone). Nothing stays behind when a step fails.
 */
export async function insertAndDeploy(
  deps: Deps & Pick<AppDeps, "policyScheduler">,
  row: AppRow,
  portNames: string[],
  origin: JobOrigin,
  how:
    | { mode: "create"; commit?: string }
    | { mode: "clone"; cloneFrom: number }
    | { mode: "restore"; extra: DeployExtra },
): Promise<AppRow> {
  const inserted = await deps.db.insert(apps).values(row).onConflictDoNothing().returning({ id: apps.id });
  if (inserted.length === 0)
    throw new ApiError("conflict", `An app named '${row.name}' or served at '${row.domain}' already exists`);
  let queued: AppRow;
  try {
    for (const name of portNames) await allocatePort(deps, row.nodeId, row.id, name);
    const extra: DeployExtra =
      how.mode === "clone"
        ? { cloneFrom: how.cloneFrom }
        : how.mode === "restore"
          ? how.extra
          : how.commit
            ? { reviewedCommit: how.commit }
            : {};
    queued = await queueDeploy(deps, row, how.mode, origin, extra);
  } catch (err) {
    await freePorts(deps, row.nodeId, row.id);
    await deps.db.delete(apps).where(eq(apps.id, row.id));
    throw err;
  }
  // Under AUTO the new app gets its schedules and default retention at once.
  await applyPolicyToNewApp(deps, row);
  return queued;
}

/** The named ports a catalog app publishes, the one serving HTTP first. */
function catalogPortNames(entry: CatalogEntry): string[] {
  const http = httpPortName(entry);
  return [http, ...entry.ports.map((p) => p.name).filter((n) => n !== http)];
}

/**
 * Deploys a failed app that has no guest again (its first deploy or clone failed and was
 * undone): its ports are reserved again where they were freed, then a fresh create runs.
 */
export async function retryFirstDeploy(deps: Deps, row: AppRow, origin: JobOrigin): Promise<AppRow> {
  let names = ["http"];
  if (row.source.type === "catalog") {
    const entry = (await loadCatalog()).getCatalogEntry(row.source.catalogId);
    if (!entry) throw new ApiError("conflict", `Catalog app '${row.source.catalogId}' no longer exists`);
    names = catalogPortNames(entry);
  }
  const have = new Set((await portsOf(deps, row.id)).map((p) => p.name));
  for (const name of names) if (!have.has(name)) await allocatePort(deps, row.nodeId, row.id, name);
  return queueDeploy(deps, row, "create", origin);
}

/**
 * What a clone, restore or reviewed first deploy adds to a deploy: the guest cloned, or the backup
 * and the guest it replaces, or the versions of a catalog update; `gitRef` pins a Git app to the commit a backup was made at;
 * `reviewedCommit` is the commit the user reviewed the build plan at.
 */
export type DeployExtra = Partial<
  Pick<AppDeployParams, "cloneFrom" | "restoreFrom" | "replaces" | "update">
> & {
  gitRef?: string;
  reviewedCommit?: string;
};

/** Queues an app.deploy job (first deploy, redeploy, clone or restore) and records it on the app. */
export async function queueDeploy(
  deps: Deps,
  row: AppRow,
  mode: AppDeployParams["mode"],
  origin: JobOrigin,
  extra: DeployExtra = {},
  secrets?: AppSecrets,
): Promise<AppRow> {
  const ports = await portsOf(deps, row.id);
  const cfg = appsConfig(deps);
  const pinned =
    extra.gitRef && row.source.type === "git"
      ? { ...row, source: { ...row.source, ref: extra.gitRef } }
      : row;
  const { params, sealed } = await deployJob(
    pinned,
    secrets ?? (await appSecrets(deps, row)),
    ports,
    mode,
    appUrl(row.domain, cfg.httpsPort),
    extra.cloneFrom,
    extra.reviewedCommit,
  );
  const full: AppDeployParams = {
    ...params,
    ...(extra.restoreFrom ? { restoreFrom: extra.restoreFrom } : {}),
    ...(extra.replaces !== undefined ? { replaces: extra.replaces } : {}),
    ...(extra.update ? { update: extra.update } : {}),
    keepSnapshots: cfg.keepSnapshots,
  };
  return queueAppJob(deps, row, "app.deploy", full, origin, sealed, "deploying");
}

/** Creates a job for an app and points the app at it. */
export async function queueAppJob(
  deps: Deps,
  row: AppRow,
  kind: JobKind,
  params: unknown,
  origin: JobOrigin,
  sealed?: unknown,
  status?: AppRow["status"],
): Promise<AppRow> {
  const job = await createJob(deps, { nodeId: row.nodeId, kind, params, origin, sealed });
  const [updated] = await deps.db
    .update(apps)
    .set({ lastJobId: job.id, updatedAt: deps.now(), ...(status ? { status } : {}) })
    .where(eq(apps.id, row.id))
    .returning();
  return updated ?? row;
}
