// The installation's automation policy (issue 12): AUTO gives every app, new and existing, daily
// backups with a default retention, a weekly restore drill and a weekly update check; PRO leaves
// all of it to the user. Schedules are kept on the nodes by the schedules service, reached
// through the small PolicyScheduler interface so this file does not depend on how they are kept.
import type { AutomationPolicy, Retention } from "@pylon/shared";
import { eq } from "drizzle-orm";
import { type AppRow, apps, installSettings } from "../db/schema/index.ts";
import type { AppDeps, PolicyScheduleKind, PolicyScheduler } from "../deps.ts";

export type { PolicyScheduleKind, PolicyScheduler } from "../deps.ts";

/**
 * What AUTO schedules, in the node's local time: backups daily at 03:00, the restore drill of the
 * newest backup on Sundays at 04:30, the update check on Mondays at 05:00.
 */
export const AUTO_SCHEDULES: readonly { kind: PolicyScheduleKind; cron: string }[] = [
  { kind: "backup", cron: "0 3 * * *" },
  { kind: "drill", cron: "30 4 * * 0" },
  { kind: "update-check", cron: "0 5 * * 1" },
];

/** The retention AUTO gives apps that have none: a week of dailies, a month of weeklies, 3 monthlies. */
export const AUTO_RETENTION: Retention = { keepDaily: 7, keepWeekly: 4, keepMonthly: 3 };

type Deps = Pick<AppDeps, "db" | "now">;

/** The policy now; `pro` until someone chooses (existing installs keep what they have). */
export async function getAutomation(deps: Pick<AppDeps, "db">): Promise<AutomationPolicy> {
  const [row] = await deps.db.select().from(installSettings).where(eq(installSettings.id, 1));
  return row?.automation ?? "pro";
}

/**
 * Gives one app what AUTO promises: its schedules (pushed to its node by the scheduler) and the
 * default retention when it has none (a retention the user set is kept).
 */
export async function applyAutoToApp(
  deps: Pick<AppDeps, "db" | "now">,
  app: Pick<AppRow, "id" | "retention">,
  scheduler: PolicyScheduler | undefined,
): Promise<void> {
  if (app.retention === null)
    await deps.db
      .update(apps)
      .set({ retention: AUTO_RETENTION, updatedAt: deps.now() })
      .where(eq(apps.id, app.id));
  if (!scheduler) return;
  for (const s of AUTO_SCHEDULES) await scheduler.ensure(app.id, s.kind, s.cron);
}

/** Called for every new app (create, clone, restore as new): under AUTO it gets the policy at once. */
export async function applyPolicyToNewApp(
  deps: Pick<AppDeps, "db" | "now" | "policyScheduler">,
  app: Pick<AppRow, "id" | "retention">,
): Promise<void> {
  if ((await getAutomation(deps)) === "auto") await applyAutoToApp(deps, app, deps.policyScheduler);
}

/**
 * Switches the policy. To AUTO: every existing app gets its schedules and, where it has none, the
 * default retention. To PRO: nothing is taken away; the schedules and retention stay and are the
 * user's to change or remove. Returns how many apps were given the policy.
 */
export async function setAutomation(
  deps: Deps,
  policy: AutomationPolicy,
  scheduler: PolicyScheduler | undefined,
): Promise<{ automation: AutomationPolicy; appsApplied: number }> {
  const now = deps.now();
  await deps.db
    .insert(installSettings)
    .values({ id: 1, automation: policy, updatedAt: now })
    .onConflictDoUpdate({ target: installSettings.id, set: { automation: policy, updatedAt: now } });
  let applied = 0;
  if (policy === "auto") {
    const all = await deps.db.select({ id: apps.id, retention: apps.retention }).from(apps);
    for (const app of all) {
      await applyAutoToApp(deps, app, scheduler);
      applied++;
    }
  }
  return { automation: policy, appsApplied: applied };
}
