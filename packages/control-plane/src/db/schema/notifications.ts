import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Where failures are announced: one generic JSON webhook per installation (one row, id
 * `default`). The URL often carries a token (Discord, Slack, ntfy topics), so it is stored
 * sealed (lib/secret-box.ts) and shown only as its origin.
 */
export const notificationSettings = sqliteTable("notification_settings", {
  id: text().primaryKey(),
  webhookUrlBox: text(),
  /** The URL's origin (`https://discord.com`), what the API shows. */
  webhookOrigin: text(),
  updatedAt: integer().notNull(),
});
export type NotificationSettingsRow = typeof notificationSettings.$inferSelect;
