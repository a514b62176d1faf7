import type { AuditEntry } from "@pylon/shared";
import { and, desc, eq, gte, lt, lte, type SQL, sql } from "drizzle-orm";
import { type AuditRow, auditLog } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { newSortableId } from "../lib/ids.ts";
import { cutPage } from "../lib/page.ts";
import { iso } from "../lib/time.ts";

type Deps = Pick<AppDeps, "db" | "now">;

export type AuditInput = Omit<AuditRow, "id" | "at" | "count" | "lastAt">;

/** Refusals that repeat in floods; a burst of one of these (or of any stranger's failure) is one row. */
const REFUSALS = new Set([401, 403, 429]);
/** A burst row takes repeats for this long after its first request, then a new row starts. */
export const AUDIT_BURST_MS = 10 * 60_000;

/**
 * Appends one audit row; a refusal (401, 403, 429), or any failure of an unauthenticated caller,
 * that repeats one from the last few minutes (same action, status, caller and address) is counted
 * on that row instead, so a flood writes a few rows, not one per request (issue 10: 7,500 rows in
 * 10 s). When the repeats name different targets, the row's target becomes null. Concurrent
 * repeats start one row: its insert is conditional on no burst row existing, in one statement.
 */
export async function writeAudit(deps: Deps, entry: AuditInput): Promise<void> {
  const at = deps.now();
  const id = newSortableId("aud", at);
  if (entry.result === "failure" && (entry.actorType === "anonymous" || REFUSALS.has(entry.status))) {
    const burst = sql`select id from ${auditLog} where ${auditLog.ip} is ${entry.ip}
      and ${auditLog.action} = ${entry.action} and ${auditLog.status} = ${entry.status}
      and ${auditLog.at} > ${at - AUDIT_BURST_MS} and ${auditLog.actorType} = ${entry.actorType}
      and ${auditLog.actorId} is ${entry.actorId} order by ${auditLog.at} desc limit 1`;
    const e = entry;
    const started = await deps.db.run(sql`insert into ${auditLog} (id, at, actor_type, actor_id, actor_name,
        action, target, result, status, request_id, ip, user_agent)
      select ${id}, ${at}, ${e.actorType}, ${e.actorId}, ${e.actorName}, ${e.action}, ${e.target}, ${e.result},
        ${e.status}, ${e.requestId}, ${e.ip}, ${e.userAgent}
      where not exists (${burst})`);
    if (started.rowsAffected === 1) return;
    const counted = await deps.db
      .update(auditLog)
      .set({
        count: sql`${auditLog.count} + 1`,
        lastAt: at,
        target: sql`case when ${auditLog.target} is ${entry.target} then ${auditLog.target} else null end`,
      })
      .where(sql`${auditLog.id} = (${burst})`)
      .returning({ id: auditLog.id });
    if (counted.length) return;
  }
  await deps.db.insert(auditLog).values({ ...entry, id, at });
}

/** The API view of an audit row. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  return { ...row, at: iso(row.at), lastAt: iso(row.lastAt ?? row.at) };
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit: number;
}

/** Newest first, cut into pages by id (ids sort by time). */
export async function listAudit(
  deps: Deps,
  f: AuditFilter,
): Promise<{ rows: AuditRow[]; nextCursor: string | null }> {
  const conds: SQL[] = [];
  if (f.actor) conds.push(eq(auditLog.actorId, f.actor));
  if (f.action) {
    const escaped = f.action.replace(/[\\%_]/g, (ch) => `\\${ch}`);
    conds.push(
      f.action.endsWith(".")
        ? sql`${auditLog.action} like ${`${escaped}%`} escape '\\'`
        : eq(auditLog.action, f.action),
    );
  }
  if (f.target) conds.push(eq(auditLog.target, f.target));
  if (f.since) conds.push(gte(auditLog.at, Date.parse(f.since)));
  if (f.until) conds.push(lte(auditLog.at, Date.parse(f.until)));
  if (f.cursor) conds.push(lt(auditLog.id, f.cursor));
  const rows = await deps.db
    .select()
    .from(auditLog)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(f.limit + 1);
  return cutPage(rows, f.limit);
}
