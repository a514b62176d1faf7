import { AUTOMATION_POLICIES } from "@pylon/shared";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Installation-wide settings users change in the dashboard (one row, id 1). The server's own
 * configuration stays in PYLON_* variables.
 */
export const installSettings = sqliteTable("install_settings", {
  id: integer().primaryKey(),
  /** auto: backups, drills and update checks for every app; pro: everything left to the user. */
  automation: text({ enum: AUTOMATION_POLICIES }).notNull().default("pro"),
  updatedAt: integer().notNull(),
});
export type InstallSettingsRow = typeof installSettings.$inferSelect;
