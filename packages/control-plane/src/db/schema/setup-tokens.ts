import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One-time first-run setup links (hashed); valid only while no user exists. */
export const setupTokens = sqliteTable("setup_tokens", {
  hash: text().primaryKey(),
  createdAt: integer().notNull(),
  expiresAt: integer().notNull(),
});
