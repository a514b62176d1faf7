// Catalog app updates: checking the deployed version against the catalog's current one, and
// updating (snapshot → redeploy at the new version → health check → keep, or roll back).
import type { AppUpdate } from "@pylon/shared";
import { eq } from "drizzle-orm";
import { type AppRow, apps } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { iso } from "../lib/time.ts";
import { queueDeploy } from "./apps.ts";
import { loadCatalog } from "./catalog.ts";
import type { JobOrigin } from "./jobs.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey" | "apps">;

/** The catalog source of an app, or a 409 naming why a Git app has no catalog updates. */
function catalogSource(app: AppRow) {
  if (app.source.type !== "catalog")
    throw new ApiError(
      "conflict",
      `App '${app.name}' is built from Git, not the catalog; redeploy it to build its ref's newest commit`,
    );
  return app.source;
}

/**
 * Compares the app's deployed catalog version with the catalog's current one and records the
 * result on the app (shown in the app list until the next check or update). This is the function
 * a scheduled (weekly) update check calls for each app; it never touches the guest.
 */
export async function checkAppUpdate(deps: Pick<AppDeps, "db" | "now">, app: AppRow): Promise<AppUpdate> {
  const source = catalogSource(app);
  const entry = (await loadCatalog()).getCatalogEntry(source.catalogId);
  if (!entry) throw new ApiError("conflict", `Catalog app '${source.catalogId}' is no longer in the catalog`);
  const available = entry.version !== source.version ? entry.version : null;
  const checkedAt = deps.now();
  await deps.db
    .update(apps)
    .set({ availableVersion: available, updateCheckedAt: checkedAt })
    .where(eq(apps.id, app.id));
  return { current: source.version, available, checkedAt: iso(checkedAt) };
}

/**
 * Updates a catalog app to the catalog's current version as one job: the agent snapshots the
 * guest (refused on storage without snapshots: there would be no way back but a backup), redeploys
 * with the new compose keeping env, route, ports and volumes, checks health, and on a failure rolls
 * back to the snapshot so the previous version serves again (app-results.ts records which).
 */
export async function startAppUpdate(deps: Deps, app: AppRow, origin: JobOrigin): Promise<AppRow> {
  const source = catalogSource(app);
  if (app.vmid === null) throw new ApiError("conflict", `App '${app.name}' has no guest yet (${app.status})`);
  if (app.status === "failed")
    throw new ApiError("conflict", `App '${app.name}' has failed; redeploy or restore it before updating`);
  if (app.status !== "running" && app.status !== "stopped")
    throw new ApiError("conflict", `App '${app.name}' is ${app.status}; wait for it to finish`);
  if (app.snapshots === false)
    throw new ApiError(
      "conflict",
      `App '${app.name}': storage '${app.storage}' cannot take snapshots, so a failed update could not be rolled back; back it up and redeploy instead, or move it to a storage with snapshots`,
    );
  const entry = (await loadCatalog()).getCatalogEntry(source.catalogId);
  if (!entry) throw new ApiError("conflict", `Catalog app '${source.catalogId}' is no longer in the catalog`);
  if (entry.version === source.version) {
    await checkAppUpdate(deps, app);
    throw new ApiError(
      "conflict",
      `App '${app.name}' already runs ${entry.name} ${entry.version}, the newest`,
    );
  }
  return queueDeploy(deps, app, "redeploy", origin, { update: { from: source.version, to: entry.version } });
}

/**
 * A scheduled update check of one app (the schedules service calls this when an app's
 * `update-check` schedule fires): the app's versions, or null for a Git app or one gone since.
 */
export async function scheduledUpdateCheck(
  deps: Pick<AppDeps, "db" | "now">,
  appId: string,
): Promise<AppUpdate | null> {
  const [app] = await deps.db.select().from(apps).where(eq(apps.id, appId));
  if (app?.source.type !== "catalog") return null;
  return checkAppUpdate(deps, app);
}
