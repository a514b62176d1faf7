import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Running control-plane processes; a node is online while the process holding its socket is alive. */
export const instances = sqliteTable("instances", {
  id: text().primaryKey(),
  startedAt: integer().notNull(),
  heartbeatAt: integer().notNull(),
});
