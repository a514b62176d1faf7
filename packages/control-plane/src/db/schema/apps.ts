import { APP_STATUSES, GUEST_TYPES, type PlanSettings, type Retention } from "@pylon/shared";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { nodes } from "./nodes.ts";

/** What an app was deployed from; secrets (catalog secret parameters, deploy key) live in `secretsBox`. */
export type AppSource =
  | {
      type: "catalog";
      catalogId: string;
      /** The entry's display name when deployed (rows from before it have none). */
      name?: string;
      version: string;
      parameters: Record<string, string | number | boolean>;
    }
  | {
      type: "git";
      url: string;
      ref: string;
      subdirectory: string | null;
      buildMode: "auto" | "generated" | "dockerfile" | "compose";
      port: number | null;
      /** ssh URLs: the Git host's key deploys require, pinned by the user or seen on first use. */
      hostKey?: { fingerprint: string; keyType: string | null; pinned: boolean };
      /** The user's changes to the reviewed plan (absent on apps made before plans). */
      plan?: PlanSettings | null;
    };

/** Deployed apps. `secretsBox` is AES-GCM ciphertext (lib/secret-box.ts) of the app's secrets. */
export const apps = sqliteTable(
  "apps",
  {
    id: text().primaryKey(),
    name: text().notNull().unique(),
    nodeId: text()
      .notNull()
      .references(() => nodes.id),
    status: text({ enum: APP_STATUSES }).notNull(),
    guestType: text({ enum: GUEST_TYPES }).notNull(),
    vmid: integer(),
    address: text(),
    cores: integer().notNull(),
    memoryMb: integer().notNull(),
    diskGb: integer().notNull(),
    storage: text().notNull(),
    bridge: text().notNull(),
    source: text({ mode: "json" }).$type<AppSource>().notNull(),
    domain: text().notNull().unique(),
    env: text({ mode: "json" }).$type<Record<string, string>>().notNull(),
    secretNames: text({ mode: "json" }).$type<string[]>().notNull(),
    secretsBox: text().notNull(),
    webhookSecretBox: text().notNull(),
    commit: text(),
    lastJobId: text(),
    lastError: text(),
    /** Proxmox retention applied after each backup (null: keep all). */
    retention: text({ mode: "json" }).$type<Retention>(),
    /** The storage the app's backups go to (null: the node's default). */
    backupStorage: text(),
    /** Whether the guest's storage can take snapshots (from the last deploy; null: unknown). */
    snapshots: integer({ mode: "boolean" }),
    /** Catalog apps: the newer catalog version the last update check found (null: up to date). */
    availableVersion: text(),
    /** When the last update check ran (null: never). */
    updateCheckedAt: integer(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [index("apps_node_idx").on(t.nodeId)],
);
export type AppRow = typeof apps.$inferSelect;
