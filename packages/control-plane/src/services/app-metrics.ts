import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { appMetrics, apps } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { iso } from "../lib/time.ts";
import { getApp } from "./apps.ts";

type Deps = Pick<AppDeps, "db">;

/** The latest figures of an app's guest as the API shows them with the app. */
export interface LatestAppMetrics {
  at: string;
  cpu: number;
  memUsed: number;
  memTotal: number;
}

const latestOf = (r: { at: number; cpu: number; memUsed: number; memTotal: number }): LatestAppMetrics => ({
  at: iso(r.at),
  cpu: r.cpu,
  memUsed: r.memUsed,
  memTotal: r.memTotal,
});

/** An app's latest sample, or null before its first (one index seek). */
export async function latestAppMetrics(deps: Deps, appId: string): Promise<LatestAppMetrics | null> {
  const [row] = await deps.db
    .select()
    .from(appMetrics)
    .where(eq(appMetrics.appId, appId))
    .orderBy(desc(appMetrics.at))
    .limit(1);
  return row ? latestOf(row) : null;
}

/** Every app's latest sample, by app id: one statement, one index seek per app. */
export async function latestMetricsOfAllApps(deps: Deps): Promise<Map<string, LatestAppMetrics>> {
  const rows = await deps.db
    .select({
      appId: appMetrics.appId,
      at: appMetrics.at,
      cpu: appMetrics.cpu,
      memUsed: appMetrics.memUsed,
      memTotal: appMetrics.memTotal,
    })
    .from(apps)
    .innerJoin(
      appMetrics,
      sql`${appMetrics}.rowid = (select rowid from ${appMetrics} where ${appMetrics.appId} = ${apps.id} order by ${appMetrics.at} desc limit 1)`,
    );
  return new Map(rows.map((r) => [r.appId, latestOf(r)]));
}

/** An app's samples since `since`, oldest first. */
export async function appMetricsSeries(deps: Deps, id: string, since: number) {
  await getApp(deps, id);
  return deps.db
    .select()
    .from(appMetrics)
    .where(and(eq(appMetrics.appId, id), gt(appMetrics.at, since)))
    .orderBy(asc(appMetrics.at))
    .limit(10_000);
}

/** Forgets an app's samples (the app is going away). */
export async function deleteAppMetrics(deps: Deps, appId: string): Promise<void> {
  await deps.db.delete(appMetrics).where(eq(appMetrics.appId, appId));
}
