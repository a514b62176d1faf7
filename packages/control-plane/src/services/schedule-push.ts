// What a node's agent is told to run on its own: each app's enabled schedules (and the node's
// default backup schedule for apps without one), each with the complete job it builds per run.
import { type JobKind, MAX_NODE_SCHEDULES, type NodeSchedule } from "@pylon/shared";
import { and, eq, inArray, isNotNull, notInArray } from "drizzle-orm";
import { type AppRow, apps, type NodeRow, type ScheduleKind, schedules } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { drillCheck } from "./backup-restore.ts";
import { backupStorageFor, stateOf } from "./backups.ts";
import { getNode } from "./nodes.ts";
import { SCHEDULE_TIMEZONE } from "./schedules.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey" | "apps" | "logger">;

/** The id the node's default backup schedule has for one app (its runs are listed under it). */
export const defaultScheduleId = (appId: string) => `dflt_${appId}`;

type JobOf = (deps: Deps, app: AppRow, node: NodeRow) => Promise<{ kind: JobKind; params: unknown } | null>;

/**
 * The job each schedule kind runs. `update-check` is a hook: update checks are built elsewhere
 * (branch `updates`); until they give it a job, such schedules are kept but not pushed.
 */
export const SCHEDULE_JOBS: Record<ScheduleKind, JobOf> = {
  async backup(_deps, app, node) {
    const storage = backupStorageFor(app, node);
    if (!storage || app.vmid === null) return null;
    const notes = [
      `Pylon app ${app.name}`,
      ...(app.commit ? [`commit ${app.commit.slice(0, 12)}`] : []),
      "scheduled",
    ];
    return {
      kind: "app.backup",
      params: {
        appId: app.id,
        vmid: app.vmid,
        type: app.guestType,
        storage,
        notes: notes.join(" · "),
        retention: app.retention,
      },
    };
  },
  async drill(deps, app, node) {
    const storage = backupStorageFor(app, node);
    if (!storage || app.vmid === null) return null;
    const appState = await stateOf(deps, app);
    return {
      kind: "app.drill",
      params: {
        appId: app.id,
        name: app.name,
        type: app.guestType,
        storage,
        volid: null,
        sourceVmid: app.vmid,
        guestStorage: app.storage,
        http: await drillCheck(deps, {
          appId: app.id,
          appName: app.name,
          guestType: app.guestType,
          vmid: app.vmid,
          appState,
        }),
      },
    };
  },
  "update-check": async () => null,
};

/** The node's schedules as its agent keeps them (apps with a guest, not being deleted). */
export async function nodeSchedules(deps: Deps, nodeId: string): Promise<NodeSchedule[]> {
  const node = await getNode(deps, nodeId);
  const appRows = await deps.db
    .select()
    .from(apps)
    .where(and(eq(apps.nodeId, nodeId), isNotNull(apps.vmid), notInArray(apps.status, ["deleting"])));
  if (!appRows.length) return [];
  const byApp = new Map(appRows.map((a) => [a.id, a]));
  const rows = await deps.db
    .select()
    .from(schedules)
    .where(and(inArray(schedules.appId, [...byApp.keys()]), eq(schedules.enabled, true)));
  const wanted: { id: string; app: AppRow; kind: ScheduleKind; cron: string }[] = rows.flatMap((r) => {
    const app = byApp.get(r.appId);
    return app ? [{ id: r.id, app, kind: r.kind, cron: r.cron }] : [];
  });
  if (node.backupCron) {
    const own = new Set(rows.filter((r) => r.kind === "backup").map((r) => r.appId));
    for (const app of appRows)
      if (!own.has(app.id))
        wanted.push({ id: defaultScheduleId(app.id), app, kind: "backup", cron: node.backupCron });
  }
  const out: NodeSchedule[] = [];
  for (const w of wanted) {
    if (out.length >= MAX_NODE_SCHEDULES) {
      deps.logger.warn("a node has more schedules than one agent keeps; the rest are not pushed", {
        nodeId,
        max: MAX_NODE_SCHEDULES,
      });
      break;
    }
    try {
      const job = await SCHEDULE_JOBS[w.kind](deps, w.app, node);
      if (job)
        out.push({
          id: w.id,
          appId: w.app.id,
          schedule: w.kind,
          cron: w.cron,
          timezone: SCHEDULE_TIMEZONE,
          ...job,
        });
    } catch (err) {
      deps.logger.warn("a schedule's job could not be built; not pushed", {
        scheduleId: w.id,
        error: String(err),
      });
    }
  }
  return out;
}
