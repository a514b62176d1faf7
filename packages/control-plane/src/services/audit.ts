import type { AuditEntry } from "@pylon/shared";
import { and, desc, eq, gte, lt, lte, type SQL, sql } from "drizzle-orm";
import { type AuditRow, auditLog } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { newSortableId } from "../lib/ids.ts";
import { cutPage } from "../lib/page.ts";
import { iso } from "../lib/time.ts";

type Deps = Pick<AppDeps, "db" | "now">;

export type AuditInput = Omit<AuditRow, "id" | "at">;

/** Appends one audit row. */
export async function writeAudit(deps: Deps, entry: AuditInput): Promise<void> {
  const at = deps.now();
  await deps.db.insert(auditLog).values({ ...entry, id: newSortableId("aud", at), at });
}

/** The API view of an audit row. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  return { ...row, at: iso(row.at) };
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
