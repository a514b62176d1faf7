import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const ACTOR_TYPES = ["user", "token", "agent", "system", "anonymous"] as const;
export const AUDIT_RESULTS = ["success", "failure"] as const;

/** One row per mutating request; ids sort by time so pages are cut by id. */
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
  },
  (t) => [
    index("audit_actor_idx").on(t.actorId, t.id),
    index("audit_action_idx").on(t.action, t.id),
    index("audit_target_idx").on(t.target, t.id),
  ],
);
export type AuditRow = typeof auditLog.$inferSelect;
