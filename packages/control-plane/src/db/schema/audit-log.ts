import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const ACTOR_TYPES = ["user", "token", "agent", "system", "anonymous"] as const;
export const AUDIT_RESULTS = ["success", "failure"] as const;

/**
 * One row per mutating request; ids sort by time so pages are cut by id. Repeated refusals (401,
 * 403, 429) of the same action to the same caller and address within a few minutes are one row
 * with a `count` (services/audit.ts), so a flood cannot grow the table a row per request.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text().primaryKey(),
    at: integer().notNull(),
    actorType: text({ enum: ACTOR_TYPES }).notNull(),
    actorId: text(),
    actorName: text(),
    action: text().notNull(),
    target: text(),
    result: text({ enum: AUDIT_RESULTS }).notNull(),
    status: integer().notNull(),
    requestId: text().notNull(),
    ip: text(),
    userAgent: text(),
    /** Requests this row stands for (a burst of refusals); 1 for most. */
    count: integer().notNull().default(1),
    /** The last request of a burst; null when count is 1. */
    lastAt: integer(),
  },
  (t) => [
    index("audit_actor_idx").on(t.actorId, t.id),
    index("audit_action_idx").on(t.action, t.id),
    index("audit_target_idx").on(t.target, t.id),
    index("audit_burst_idx").on(t.ip, t.action, t.status, t.at),
  ],
);
export type AuditRow = typeof auditLog.$inferSelect;
