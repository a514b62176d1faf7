import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { jobs } from "./jobs.ts";

/** Events of a job, stored once per (job, seq) however often the agent resends them. */
export const jobEvents = sqliteTable(
  "job_events",
  {
    jobId: text()
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    seq: integer().notNull(),
    at: integer().notNull(),
    event: text({ mode: "json" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] })],
);
export type JobEventRow = typeof jobEvents.$inferSelect;
