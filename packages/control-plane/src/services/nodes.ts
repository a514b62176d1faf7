import type { Node } from "@pylon/shared";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { jobEvents, jobs, type NodeRow, nodeMetrics, nodes } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError, notFound } from "../errors.ts";
import { randomSecret, sha256Hex } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import { iso, isoOrNull } from "../lib/time.ts";
import { liveInstances } from "./instances.ts";

type Deps = Pick<AppDeps, "db" | "now">;

export const ENROLLMENT_TTL_MS = 60 * 60_000;

/** Where a node stands, from its credential and the liveness of the process holding its socket. */
export function nodeStatus(row: NodeRow, live: Set<string>): Node["status"] {
  if (!row.credentialHash) return row.enrolledAt ? "revoked" : "pending";
  return row.connectedInstance && live.has(row.connectedInstance) ? "online" : "offline";
}

/** The API view of a node; `latestAgent` is the agent version this control plane serves. */
export function toNode(row: NodeRow, live: Set<string>, latestAgent: string | null = null): Node {
  return {
    id: row.id,
    name: row.name,
    simulated: row.simulated,
    status: nodeStatus(row, live),
    agentVersion: row.agentVersion,
    // The host check runs every minute; the inventory and hello only now and then.
    pveVersion: row.hostCheck?.pveVersion ?? row.pveVersion,
    hostName: row.hostName,
    createdAt: iso(row.createdAt),
    enrolledAt: isoOrNull(row.enrolledAt),
    connectedAt: isoOrNull(row.connectedAt),
    lastSeenAt: isoOrNull(row.lastSeenAt),
    metrics: row.metrics ?? null,
    guestCount: row.inventory ? row.inventory.guests.filter((g) => !g.template).length : null,
    hostCheck: row.hostCheck ?? null,
    agentUpdate: row.agentUpdate ?? null,
    latestAgentVersion: latestAgent,
  };
}

/** A one-time enrollment token: returned once, stored hashed. */
async function newEnrollment(deps: Deps): Promise<{ token: string; hash: string; expiresAt: number }> {
  const token = `pye_${randomSecret(24)}`;
  return { token, hash: sha256Hex(token), expiresAt: deps.now() + ENROLLMENT_TTL_MS };
}

/** Creates a node awaiting its agent, with a one-time enrollment token. */
export async function createNode(
  deps: Deps,
  input: { name: string; simulated?: boolean },
): Promise<{ row: NodeRow; token: string }> {
  const e = await newEnrollment(deps);
  const [row] = await deps.db
    .insert(nodes)
    .values({
      id: newId("node"),
      name: input.name,
      simulated: input.simulated ?? false,
      createdAt: deps.now(),
      enrollmentHash: e.hash,
      enrollmentExpiresAt: e.expiresAt,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new ApiError("conflict", `A node named '${input.name}' already exists`);
  return { row, token: e.token };
}

/** Every node, by name, with the set of live processes to judge online status. */
export async function listNodes(deps: Deps): Promise<{ rows: NodeRow[]; live: Set<string> }> {
  const [rows, live] = await Promise.all([
    deps.db.select().from(nodes).orderBy(asc(nodes.name)),
    liveInstances(deps),
  ]);
  return { rows, live };
}

/** One node or a 404. */
export async function getNode(deps: Deps, id: string): Promise<NodeRow> {
  const [row] = await deps.db.select().from(nodes).where(eq(nodes.id, id));
  if (!row) throw notFound("Node");
  return row;
}

/** Issues a new enrollment token (re-install or re-enroll); any earlier one stops working. */
export async function reissueEnrollment(deps: Deps, id: string): Promise<{ row: NodeRow; token: string }> {
  await getNode(deps, id);
  const e = await newEnrollment(deps);
  const [row] = await deps.db
    .update(nodes)
    .set({ enrollmentHash: e.hash, enrollmentExpiresAt: e.expiresAt })
    .where(eq(nodes.id, id))
    .returning();
  return { row: row!, token: e.token };
}

/**
 * Exchanges an enrollment token for the node's agent credential. One conditional update, so a
 * token works once, before it expires, however many agents race with it.
 */
export async function enrollAgent(
  deps: Deps,
  input: { token: string; agentVersion: string; nodeName: string; pveVersion: string | null },
): Promise<{ nodeId: string; credential: string; credentialId: string }> {
  const credential = `pya_${randomSecret(32)}`;
  const credentialId = newId("cred");
  const now = deps.now();
  const [row] = await deps.db
    .update(nodes)
    .set({
      enrollmentHash: null,
      enrollmentExpiresAt: null,
      credentialHash: sha256Hex(credential),
      credentialId,
      pendingCredentialHash: null,
      pendingCredentialId: null,
      enrolledAt: now,
      agentVersion: input.agentVersion,
      pveVersion: input.pveVersion,
      hostName: input.nodeName,
    })
    .where(and(eq(nodes.enrollmentHash, sha256Hex(input.token)), gt(nodes.enrollmentExpiresAt, now)))
    .returning({ id: nodes.id });
  if (!row) throw new ApiError("unauthenticated", "Enrollment token is invalid, already used or expired");
  return { nodeId: row.id, credential, credentialId };
}

/** The node an agent credential belongs to, or null (unknown or revoked). */
export async function nodeForCredential(deps: Deps, credential: string): Promise<NodeRow | null> {
  if (!credential.startsWith("pya_") || credential.length > 200) return null;
  const [row] = await deps.db
    .select()
    .from(nodes)
    .where(eq(nodes.credentialHash, sha256Hex(credential)));
  return row ?? null;
}

/** Revokes the agent credential; the hub disconnects the agent. */
export async function revokeCredential(deps: Deps, id: string): Promise<NodeRow> {
  await getNode(deps, id);
  const [row] = await deps.db
    .update(nodes)
    .set({ credentialHash: null, credentialId: null, pendingCredentialHash: null, pendingCredentialId: null })
    .where(eq(nodes.id, id))
    .returning();
  return row!;
}

/** Deletes a node with its jobs, events and metrics. */
export async function deleteNode(deps: Deps, id: string): Promise<NodeRow> {
  const row = await getNode(deps, id);
  await deps.db.batch([
    deps.db
      .delete(jobEvents)
      .where(sql`${jobEvents.jobId} in (select id from ${jobs} where node_id = ${id})`),
    deps.db.delete(jobs).where(eq(jobs.nodeId, id)),
    deps.db.delete(nodeMetrics).where(eq(nodeMetrics.nodeId, id)),
    deps.db.delete(nodes).where(eq(nodes.id, id)),
  ]);
  return row;
}

/**
 * The shell line an admin runs as root on the Proxmox host. The enrollment token goes in the
 * environment of `sh`, not its argv (which other users see in ps). A plain-http control plane
 * (a local trial) needs --insecure, which the installer otherwise refuses.
 */
export function installCommand(baseUrl: string, token: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const insecure = baseUrl.startsWith("http://") ? " --insecure" : "";
  return `curl -fsSL ${q(`${baseUrl}/install/agent.sh`)} | PYLON_ENROLL_TOKEN=${q(token)} sh -s -- --url ${q(baseUrl)}${insecure}`;
}

/**
 * Rotates the credential of a connected agent: the process holding its socket sends the new one,
 * and the switch happens when the agent confirms it stored it. Waits up to 10 s for that.
 */
export async function rotateCredential(
  deps: Pick<AppDeps, "db" | "now" | "bus">,
  id: string,
): Promise<string> {
  const node = await getNode(deps, id);
  if (nodeStatus(node, await liveInstances(deps)) !== "online") {
    throw new ApiError(
      "conflict",
      `Node '${node.name}' is not connected; issue a new enrollment token instead`,
    );
  }
  await deps.bus.publish({ topic: "node.rotate", nodeId: id, jobId: null });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const row = await getNode(deps, id);
    if (row.credentialId && row.credentialId !== node.credentialId && !row.pendingCredentialId)
      return row.credentialId;
  }
  throw new ApiError(
    "unavailable",
    "The agent did not confirm the new credential in time; the current one stays valid",
  );
}

/** Node metric samples since `since`, oldest first. */
export async function metricsSeries(deps: Deps, id: string, since: number) {
  await getNode(deps, id);
  return deps.db
    .select()
    .from(nodeMetrics)
    .where(and(eq(nodeMetrics.nodeId, id), gt(nodeMetrics.at, since)))
    .orderBy(asc(nodeMetrics.at))
    .limit(10_000);
}

/** Changes a node's settings (its apps' default backup storage, checked against its inventory). */
export async function updateNode(
  deps: Deps,
  id: string,
  body: { backupStorage: string | null },
): Promise<NodeRow> {
  const node = await getNode(deps, id);
  if (body.backupStorage) {
    const ok = (node.inventory?.storages ?? []).filter((s) => s.content.includes("backup"));
    if (node.inventory && !ok.some((s) => s.storage === body.backupStorage))
      throw new ApiError(
        "validation_failed",
        `Invalid request body: backupStorage '${body.backupStorage}' does not hold backups on node '${node.name}' (these do: ${ok.map((s) => s.storage).join(", ") || "none"})`,
        { fields: [{ path: "backupStorage", message: "must be a storage of the node that holds backups" }] },
      );
  }
  const [row] = await deps.db
    .update(nodes)
    .set({ backupStorage: body.backupStorage })
    .where(eq(nodes.id, id))
    .returning();
  return row ?? node;
}
