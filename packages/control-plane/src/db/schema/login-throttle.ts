import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Failed sign-in counters per account and per IP, shared by every process. */
export const loginThrottle = sqliteTable("login_throttle", {
  key: text().primaryKey(),
  failures: integer().notNull(),
  windowStartedAt: integer().notNull(),
  lockedUntil: integer().notNull().default(0),
});
