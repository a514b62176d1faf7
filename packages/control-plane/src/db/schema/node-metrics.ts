import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { nodes } from "./nodes.ts";

/** Node metrics over time, one sample a minute at most, for charts. */
export const nodeMetrics = sqliteTable(
  "node_metrics",
  {
    nodeId: text()
      .notNull()
      .references(() => nodes.id, { onDelete: "cascade" }),
    at: integer().notNull(),
    cpu: real().notNull(),
    memUsed: real().notNull(),
    memTotal: real().notNull(),
    diskUsed: real().notNull(),
    diskTotal: real().notNull(),
  },
  (t) => [index("node_metrics_idx").on(t.nodeId, t.at)],
);
