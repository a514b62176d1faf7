import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { apps } from "./apps.ts";

/**
 * Push-to-deploy deliveries an app accepted, so a replay is refused: by the signed body's HMAC
 * (the same bytes sent again, whatever headers come with them) and by the Git host's delivery
 * id when it sends one. Kept for the replay window, then deleted; rows go with their app.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    appId: text()
      .notNull()
      .references(() => apps.id, { onDelete: "cascade" }),
    /** The body's HMAC-SHA256 (hex) under the app's webhook secret. */
    signature: text().notNull(),
    /** X-GitHub-Delivery (or Gitea's/Gogs' equivalent); null when none was sent. */
    deliveryId: text(),
    receivedAt: integer().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.appId, t.signature] }),
    uniqueIndex("webhook_deliveries_delivery_idx").on(t.appId, t.deliveryId),
    index("webhook_deliveries_received_idx").on(t.receivedAt),
  ],
);
