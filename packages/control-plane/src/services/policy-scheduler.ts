// The automation policy (services/policy.ts) keeps its schedules through this adapter.
import { and, eq } from "drizzle-orm";
import { schedules } from "../db/schema/index.ts";
import type { AppDeps, PolicyScheduler } from "../deps.ts";
import { createSchedule, removeSchedules } from "./schedules.ts";

/**
 * The automation policy's schedules, kept by the schedules service. A schedule the user already
 * has for that kind (their own expression, or paused) is theirs and stays as it is.
 */
export function policySchedulerOn(deps: Pick<AppDeps, "db" | "now" | "bus">): PolicyScheduler {
  return {
    async ensure(appId, kind, cron) {
      const [had] = await deps.db
        .select({ id: schedules.id })
        .from(schedules)
        .where(and(eq(schedules.appId, appId), eq(schedules.kind, kind)));
      if (!had) await createSchedule(deps, appId, { kind, cron });
    },
    async remove(appId, kind) {
      await removeSchedules(deps, [appId], [kind]);
    },
  };
}
