import type { SCOPES } from "@pylon/shared";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users.ts";

/** API tokens; only the SHA-256 of the secret is kept. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    prefix: text().notNull(),
    secretHash: text().notNull().unique(),
    scopes: text({ mode: "json" }).$type<(typeof SCOPES)[number][]>().notNull(),
    createdAt: integer().notNull(),
    expiresAt: integer(),
    lastUsedAt: integer(),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId)],
);
export type ApiTokenRow = typeof apiTokens.$inferSelect;
