// How long each growing table keeps its rows. Run hourly by the hub (hub/memory-hub.ts).
import { FINAL_JOB_STATUSES } from "@pylon/shared";
import { type SQL, sql } from "drizzle-orm";
import { type AppDeps, DEFAULT_RETENTION, type RetentionPolicy } from "../deps.ts";
import { newSortableId } from "../lib/ids.ts";
import { THROTTLE_WINDOW_MS } from "./throttle.ts";

const DAY_MS = 24 * 3600_000;
const METRICS_DAYS = 7;
/** Reads of an app (log views, diagnostics) are jobs too; they go after a day. */
const READ_JOB_DAYS = 1;
/** Rows per delete statement, so no statement holds the write lock for long. */
const CHUNK = 500;
/** Jobs per delete statement (each may have thousands of events). */
const JOB_CHUNK = 50;
/** Chunks per table per pass; what is left goes in the next pass. */
const MAX_CHUNKS = 100;

type Deps = Pick<AppDeps, "db" | "now" | "retention">;

const FINAL = sql.join(
  FINAL_JOB_STATUSES.map((s) => sql`${s}`),
  sql`, `,
);

/**
 * Finished jobs of a pass: old reads, and old jobs that are neither an app's latest, nor among its
 * last deploys, nor the job (or drill) of a backup that still exists.
 */
function expiredJobs(now: number, p: RetentionPolicy): SQL {
  return sql`select j.id from jobs j where j.status in (${FINAL}) and (
    (j.kind in ('app.logs', 'app.diagnostics', 'app.plan') and j.finished_at <= ${now - READ_JOB_DAYS * DAY_MS})
    or (j.finished_at <= ${now - p.jobDays * DAY_MS}
      and j.id not in (select last_job_id from apps where last_job_id is not null)
      and j.id not in (select job_id from backups)
      and j.id not in (select drill_job_id from backups where drill_job_id is not null)
      and not (j.kind = 'app.deploy' and j.app_id in (select id from apps) and j.id in (
        select d.id from jobs d where d.app_id = j.app_id and d.kind = 'app.deploy' order by d.id desc limit ${p.keepDeploys}))))
    order by j.id limit ${JOB_CHUNK}`;
}

/**
 * Repeats a chunked delete until a chunk comes back short, yielding to requests in between. A
 * chunk is one statement, or two run atomically (a job's events, then the job); the last one's
 * count is the chunk's.
 */
async function drain(deps: Deps, chunk: () => [SQL] | [SQL, SQL], size: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const [first, second] = chunk();
    const result = second
      ? (await deps.db.batch([deps.db.run(first), deps.db.run(second)]))[1]
      : await deps.db.run(first);
    const affected = result.rowsAffected;
    total += affected;
    if (affected < size) break;
    await new Promise((r) => setTimeout(r, 0));
  }
  return total;
}

/** What one pass deleted, per table. */
export type RetentionReport = Record<string, number>;

/**
 * One retention pass: metrics after a week; reads after a day; finished jobs (with their events)
 * after `jobDays`, keeping each app's latest job and last `keepDeploys` deploys; audit rows after
 * `auditDays`; scheduled runs after `jobDays`; sign-in counters once their window passed unlocked; expired sessions and setup
 * links. Deletes in small chunks so requests keep being served.
 */
export async function applyRetention(deps: Deps, now = deps.now()): Promise<RetentionReport> {
  const p = { ...DEFAULT_RETENTION, ...deps.retention };
  const metricsBefore = now - METRICS_DAYS * DAY_MS;
  const auditBefore = newSortableId("aud", now - p.auditDays * DAY_MS).slice(0, 14);
  const simple = (table: string, where: SQL) => (): [SQL] => [
    sql`delete from ${sql.identifier(table)} where rowid in (select rowid from ${sql.identifier(table)} where ${where} limit ${CHUNK})`,
  ];
  const report: RetentionReport = {};
  report.nodeMetrics = await drain(deps, simple("node_metrics", sql`at <= ${metricsBefore}`), CHUNK);
  report.appMetrics = await drain(deps, simple("app_metrics", sql`at <= ${metricsBefore}`), CHUNK);
  report.jobs = await drain(
    deps,
    () => {
      const ids = expiredJobs(now, p);
      return [
        sql`delete from job_events where job_id in (${ids})`,
        sql`delete from jobs where id in (${ids})`,
      ];
    },
    JOB_CHUNK,
  );
  report.audit = await drain(deps, simple("audit_log", sql`id < ${auditBefore}`), CHUNK);
  // Scheduled runs are kept as long as finished jobs (a schedule every few minutes adds up).
  report.scheduleRuns = await drain(
    deps,
    simple("schedule_runs", sql`scheduled_at <= ${now - p.jobDays * DAY_MS} and status != 'running'`),
    CHUNK,
  );
  report.loginThrottle = await drain(
    deps,
    simple(
      "login_throttle",
      sql`window_started_at <= ${now - THROTTLE_WINDOW_MS} and locked_until <= ${now}`,
    ),
    CHUNK,
  );
  report.sessions = await drain(deps, simple("sessions", sql`expires_at <= ${now}`), CHUNK);
  report.setupTokens = await drain(deps, simple("setup_tokens", sql`expires_at <= ${now}`), CHUNK);
  return report;
}
