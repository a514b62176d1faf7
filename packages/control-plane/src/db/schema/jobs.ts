import { JOB_KINDS, JOB_STATUSES, type Role, type Scope } from "@pylon/shared";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { nodes } from "./nodes.ts";

/** Every unit of work, written before it is offered to an agent. The id is the idempotency key. */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text().primaryKey(),
    nodeId: text()
      .notNull()
      .references(() => nodes.id, { onDelete: "cascade" }),
    kind: text({ enum: JOB_KINDS }).notNull(),
    params: text({ mode: "json" }).notNull(),
    /** The app a job is for (`params.appId`), for an app's history. */
    appId: text(),
    /** Encrypted secrets merged into the params only on the wire to the agent (lib/secret-box.ts). */
    secretParamsBox: text(),
    status: text({ enum: JOB_STATUSES }).notNull(),
    attempts: integer().notNull().default(0),
    requestedBy: text(),
    /**
     * The access reading this job's output (result, error, events) needs, when more than reading
     * jobs: the access of the route that started it, for routes that declare their jobs' output
     * private (routes/define.ts). Null: anyone who may read jobs.
     */
    outputAccess: text({ mode: "json" }).$type<{ role: Role; scope: Scope }>(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
    offeredAt: integer(),
    notBefore: integer().notNull().default(0),
    startedAt: integer(),
    finishedAt: integer(),
    cancelRequested: integer({ mode: "boolean" }).notNull().default(false),
    /** Highest event seq stored with every lower one present. */
    lastSeq: integer().notNull().default(0),
    /** Bytes of the events stored so far (as the agent sent them), held under a per-job cap. */
    eventBytes: integer().notNull().default(0),
    result: text({ mode: "json" }),
    error: text(),
  },
  (t) => [
    index("jobs_status_idx").on(t.status, t.nodeId),
    index("jobs_node_idx").on(t.nodeId, t.createdAt),
    index("jobs_app_idx").on(t.appId, t.id),
  ],
);
export type JobRow = typeof jobs.$inferSelect;
