// An app's guest snapshots: listed, taken, deleted and rolled back to by the node's agent.
import { appSnapshotResultSchema } from "@pylon/shared";
import { snapshotCapability, volumeFormat } from "@pylon/shared/storage-facts";
import type { AppRow } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { iso } from "../lib/time.ts";
import { appsConfig, queueAppJob } from "./apps.ts";
import { guestOf } from "./backups.ts";
import { awaitJob, createJob, type JobOrigin } from "./jobs.ts";
import { getNode } from "./nodes.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey" | "apps">;

const OWN = /^pylon_\d{8}_\d{6}(_\d+)?$/;

/** Refuses snapshots up front when the last deploy found the storage cannot take them. */
async function needsSnapshots(deps: Deps, app: AppRow): Promise<void> {
  if (app.snapshots !== false) return;
  const node = await getNode(deps, app.nodeId);
  const type = node.inventory?.storages.find((s) => s.storage === app.storage)?.type ?? "unknown";
  const format = app.guestType === "lxc" ? "raw" : volumeFormat(app.storage);
  const reason =
    snapshotCapability(app.storage, type, format).reason ??
    `storage '${app.storage}' cannot take snapshots of this guest`;
  throw new ApiError("conflict", `App '${app.name}': ${reason}; restore a backup instead`);
}

/** The app's snapshots, read through the agent (waits for the answer). */
export async function listSnapshots(deps: Deps, app: AppRow, origin: JobOrigin) {
  const vmid = guestOf(app);
  const job = await createJob(deps, {
    nodeId: app.nodeId,
    kind: "app.snapshot",
    params: { appId: app.id, vmid, type: app.guestType, op: "list" },
    origin,
  });
  const parsed = appSnapshotResultSchema.safeParse(await awaitJob(deps, job.id, "Listing snapshots"));
  if (!parsed.success) throw new ApiError("internal", "The agent's snapshot list could not be read");
  const r = parsed.data;
  const newest = r.snapshots.at(-1)?.name;
  return {
    items: r.snapshots.map((s) => ({
      name: s.name,
      takenAt: s.time === null ? null : iso(s.time * 1000),
      description: s.description,
      own: OWN.test(s.name),
      canRollback: r.supported && (!r.latestOnly || s.name === newest),
    })),
    supported: r.supported,
    reason: r.reason,
    latestOnly: r.latestOnly,
  };
}

/** Takes a snapshot (the app's older own ones beyond the setting go); returns the job id. */
export async function takeAppSnapshot(
  deps: Deps,
  app: AppRow,
  description: string | undefined,
  origin: JobOrigin,
): Promise<string> {
  const vmid = guestOf(app);
  await needsSnapshots(deps, app);
  const job = await createJob(deps, {
    nodeId: app.nodeId,
    kind: "app.snapshot",
    params: {
      appId: app.id,
      vmid,
      type: app.guestType,
      op: "take",
      keep: appsConfig(deps).keepSnapshots,
      ...(description ? { description } : {}),
    },
    origin,
  });
  return job.id;
}

/** Deletes a snapshot; returns the job id. */
export async function deleteAppSnapshot(deps: Deps, app: AppRow, name: string, origin: JobOrigin) {
  const vmid = guestOf(app);
  const job = await createJob(deps, {
    nodeId: app.nodeId,
    kind: "app.snapshot",
    params: { appId: app.id, vmid, type: app.guestType, op: "delete", name },
    origin,
  });
  return job.id;
}

/**
 * Rolls the app's guest back to a snapshot: code and data together (the app's commit follows the
 * snapshot's); its route and ports lead to the same guest. The app is `deploying` meanwhile.
 */
export async function rollbackApp(deps: Deps, app: AppRow, name: string, origin: JobOrigin) {
  const vmid = guestOf(app);
  await needsSnapshots(deps, app);
  return queueAppJob(
    deps,
    app,
    "app.snapshot",
    { appId: app.id, vmid, type: app.guestType, op: "rollback", name },
    origin,
    undefined,
    "deploying",
  );
}
