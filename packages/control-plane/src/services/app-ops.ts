// Operations on an existing app: each becomes a job for the node's agent.
import type { DiagnosticName, envMapSchema } from "@pylon/shared";
import { eq } from "drizzle-orm";
import type { z } from "zod";
import { type AppRow, apps } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { routeIdOf } from "./app-deploy.ts";
import { queueAppJob, queueDeploy, retryFirstDeploy } from "./apps.ts";
import { listBackups } from "./backups.ts";
import { createJob, getJob, isFinal, type JobOrigin } from "./jobs.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey" | "apps">;

function needsGuest(row: AppRow): number {
  if (row.vmid === null)
    throw new ApiError("conflict", `App '${row.name}' has no guest yet (status ${row.status})`);
  if (row.status === "deploying" || row.status === "deleting") {
    throw new ApiError("conflict", `App '${row.name}' is ${row.status}; wait for it to finish`);
  }
  return row.vmid;
}

/** start / stop / restart / redeploy. */
export async function appAction(
  deps: Deps,
  row: AppRow,
  action: "start" | "stop" | "restart" | "redeploy",
  origin: JobOrigin,
): Promise<AppRow> {
  // A failed first deploy left no guest: a redeploy is a fresh try.
  if (action === "redeploy" && row.vmid === null && row.status === "failed")
    return retryFirstDeploy(deps, row, origin);
  const vmid = needsGuest(row);
  if (action === "redeploy") return queueDeploy(deps, row, "redeploy", origin);
  return queueAppJob(deps, row, "app.action", { appId: row.id, vmid, type: row.guestType, action }, origin);
}

/**
 * Resizes (cores and memory live, disk grow only), changes env (applied by a redeploy) and/or
 * pins the Git host's SSH key (required from the next deploy on).
 */
export async function updateApp(
  deps: Deps,
  row: AppRow,
  changes: {
    cores?: number;
    memoryMb?: number;
    diskGb?: number;
    env?: z.infer<typeof envMapSchema>;
    hostKey?: string;
  },
  origin: JobOrigin,
): Promise<AppRow> {
  if (changes.diskGb !== undefined && changes.diskGb < row.diskGb) {
    throw new ApiError(
      "validation_failed",
      `Invalid request body: diskGb can only grow (now ${row.diskGb} GiB)`,
      {
        fields: [{ path: "diskGb", message: `can only grow (now ${row.diskGb} GiB)` }],
      },
    );
  }
  let current = row;
  if (changes.hostKey !== undefined) current = await pinHostKey(deps, current, changes.hostKey);
  if (changes.env) {
    const [updated] = await deps.db
      .update(apps)
      .set({ env: changes.env, updatedAt: deps.now() })
      .where(eq(apps.id, row.id))
      .returning();
    current = updated ?? row;
  }
  const resize = {
    ...(changes.cores !== undefined && changes.cores !== row.cores ? { cores: changes.cores } : {}),
    ...(changes.memoryMb !== undefined && changes.memoryMb !== row.memoryMb
      ? { memoryMb: changes.memoryMb }
      : {}),
    ...(changes.diskGb !== undefined && changes.diskGb !== row.diskGb ? { diskGb: changes.diskGb } : {}),
  };
  if (Object.keys(resize).length > 0) {
    const vmid = needsGuest(current);
    current = await queueAppJob(
      deps,
      current,
      "app.resize",
      { appId: row.id, vmid, type: row.guestType, ...resize },
      origin,
    );
  }
  if (changes.env && current.vmid !== null && current.status !== "deploying") {
    current = await queueDeploy(deps, current, "redeploy", origin);
  }
  return current;
}

/** Pins the SSH host key an ssh Git app's deploys require (the one seen keeps its type). */
async function pinHostKey(deps: Deps, row: AppRow, fingerprint: string): Promise<AppRow> {
  const s = row.source;
  if (s.type !== "git" || s.url.startsWith("https://"))
    throw new ApiError(
      "validation_failed",
      "Invalid request body: hostKey is for apps from an ssh repository URL",
      {
        fields: [{ path: "hostKey", message: "is for apps from an ssh repository URL" }],
      },
    );
  const keyType = s.hostKey?.fingerprint === fingerprint ? s.hostKey.keyType : null;
  const [updated] = await deps.db
    .update(apps)
    .set({ source: { ...s, hostKey: { fingerprint, keyType, pinned: true } }, updatedAt: deps.now() })
    .where(eq(apps.id, row.id))
    .returning();
  return updated ?? row;
}

/** Destroys the guest, removes the route and frees the ports (when the agent reports done). */
export async function deleteApp(
  deps: Deps,
  row: AppRow,
  keepBackups: boolean,
  origin: JobOrigin,
): Promise<AppRow> {
  if (row.status === "deleting") throw new ApiError("conflict", `App '${row.name}' is already being deleted`);
  const known = keepBackups
    ? []
    : (await listBackups(deps, row.id)).flatMap((b) =>
        b.volid && b.status === "ok" ? [{ storage: b.storage, volid: b.volid }] : [],
      );
  return queueAppJob(
    deps,
    row,
    "app.delete",
    {
      appId: row.id,
      vmid: row.vmid,
      type: row.guestType,
      routeId: routeIdOf(row.id),
      keepBackups,
      ...(known.length ? { backups: known } : {}),
    },
    origin,
    undefined,
    "deleting",
  );
}

/**
 * Runs a named read-only diagnostic and waits for its output (up to `waitMs`). There is no way
 * to run anything else: the agent maps each name to a fixed command.
 */
export async function diagnose(
  deps: Deps,
  row: AppRow,
  name: DiagnosticName,
  origin: JobOrigin,
  waitMs = 30_000,
): Promise<{ jobId: string; output: string }> {
  const vmid = needsGuest(row);
  const job = await createJob(deps, {
    nodeId: row.nodeId,
    kind: "app.diagnostics",
    params: { appId: row.id, vmid, type: row.guestType, name, tail: 200 },
    origin,
  });
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const current = await getJob(deps, job.id);
    if (current.status === "succeeded") {
      const output = (current.result as { output?: unknown } | null)?.output;
      return { jobId: job.id, output: typeof output === "string" ? output : "" };
    }
    if (isFinal(current.status))
      throw new ApiError("conflict", `Diagnostic '${name}' failed: ${current.error ?? current.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ApiError("unavailable", `Diagnostic '${name}' did not finish in time; see job ${job.id}`);
}
