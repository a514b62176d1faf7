// Update checks compare the app's version with the control plane's catalog, so unlike backups and
// drills they cannot run on the node: their schedules (kind `update-check`) are run here, by the
// hub's periodic pass on Node and the cron on Workers. A schedule is due when its next time after
// the app's last check (or the schedule's creation) has passed; a check that fails stays due.
import { Cron } from "croner";
import { and, eq } from "drizzle-orm";
import { apps, schedules } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { scheduledUpdateCheck } from "./app-updates.ts";

type Deps = Pick<AppDeps, "db" | "now" | "logger">;

/** Runs the update checks whose time has come; returns how many ran. */
export async function runDueUpdateChecks(deps: Deps): Promise<number> {
  const rows = await deps.db
    .select({
      appId: schedules.appId,
      cron: schedules.cron,
      since: schedules.createdAt,
      checkedAt: apps.updateCheckedAt,
    })
    .from(schedules)
    .innerJoin(apps, eq(apps.id, schedules.appId))
    .where(and(eq(schedules.kind, "update-check"), eq(schedules.enabled, true)));
  const now = deps.now();
  let ran = 0;
  for (const r of rows) {
    const next = new Cron(r.cron, { timezone: "UTC", paused: true }).nextRun(
      new Date(r.checkedAt ?? r.since),
    );
    if (!next || next.getTime() > now) continue;
    try {
      await scheduledUpdateCheck(deps, r.appId);
      ran++;
    } catch (err) {
      deps.logger.warn("scheduled update check failed", { appId: r.appId, error: String(err) });
    }
  }
  return ran;
}
