import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { apps } from "./apps.ts";

/**
 * App guest metrics over time, one sample a minute at most, for charts. `netIn`/`netOut` are the
 * guest's byte counters as Proxmox reports them (since the guest started), not rates.
 */
export const appMetrics = sqliteTable(
  "app_metrics",
  {
    appId: text()
      .notNull()
      .references(() => apps.id, { onDelete: "cascade" }),
    at: integer().notNull(),
    cpu: real().notNull(),
    memUsed: real().notNull(),
    memTotal: real().notNull(),
    diskUsed: real().notNull(),
    diskTotal: real().notNull(),
    netIn: real().notNull(),
    netOut: real().notNull(),
  },
  (t) => [index("app_metrics_idx").on(t.appId, t.at)],
);
