import type { AgentUpdate, HostCheck, Inventory, NodeMetrics } from "@pylon/shared";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Proxmox hosts with an agent. Enrollment and agent credentials are stored as SHA-256 hashes;
 * `connectedInstance` names the control-plane process holding the agent's socket (see instances).
 */
export const nodes = sqliteTable(
  "nodes",
  {
    id: text().primaryKey(),
    name: text().notNull().unique(),
    simulated: integer({ mode: "boolean" }).notNull().default(false),
    createdAt: integer().notNull(),
    enrollmentHash: text(),
    enrollmentExpiresAt: integer(),
    credentialHash: text().unique(),
    credentialId: text(),
    /** A rotation in flight: the new credential's hash until the agent confirms it stored it. */
    pendingCredentialHash: text(),
    pendingCredentialId: text(),
    enrolledAt: integer(),
    agentVersion: text(),
    pveVersion: text(),
    hostName: text(),
    connectedInstance: text(),
    connectedAt: integer(),
    lastSeenAt: integer(),
    metrics: text({ mode: "json" }).$type<NodeMetrics>(),
    inventory: text({ mode: "json" }).$type<Inventory>(),
    inventoryAt: integer(),
    /** The agent's last host check (PVE version, missing privileges, problems, the fix). */
    hostCheck: text({ mode: "json" }).$type<HostCheck>(),
    /** The agent's last self-update: in progress, done, or failed (and why). */
    agentUpdate: text({ mode: "json" }).$type<AgentUpdate>(),
    /** The storage apps on this node back up to unless they name their own. */
    backupStorage: text(),
    /** The node's default backup schedule (cron) for apps on it without a backup schedule of their own. */
    backupCron: text(),
  },
  (t) => [index("nodes_enrollment_idx").on(t.enrollmentHash)],
);
export type NodeRow = typeof nodes.$inferSelect;
