import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const CHANGE_TOPICS = [
  "job.queued",
  "job.cancel",
  "job.event",
  "node.revoked",
  "node.rotate",
  "node.update",
  "node.deleted",
  "auth.changed",
  "schedules.changed",
] as const;

/**
 * A short-lived change feed through the database: how control-plane processes tell each other
 * that something needs doing (a job for an agent another process holds, a revoked credential,
 * new events for a live view). Each process reads rows after the last id it saw; rows are pruned
 * after a few minutes.
 */
export const changes = sqliteTable(
  "changes",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    at: integer().notNull(),
    topic: text({ enum: CHANGE_TOPICS }).notNull(),
    nodeId: text(),
    jobId: text(),
  },
  (t) => [index("changes_at_idx").on(t.at)],
);
export type ChangeRow = typeof changes.$inferSelect;
