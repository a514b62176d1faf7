import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { nodes } from "./nodes.ts";

/**
 * The per-node port registry: the primary key makes two apps on one node unable to hold the
 * same port, whatever process allocates it. Rows go with their app.
 */
export const ports = sqliteTable(
  "ports",
  {
    nodeId: text()
      .notNull()
      .references(() => nodes.id),
    port: integer().notNull(),
    appId: text().notNull(),
    name: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.port] })],
);
export type PortRow = typeof ports.$inferSelect;
