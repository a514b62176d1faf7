import type { AgentUpdate } from "@pylon/shared";
import { type AgentFrame, encodeFrame, parseAgentFrame, type ServerFrame } from "@pylon/shared";
import { compareVersions } from "@pylon/shared/versions";
import { and, eq, inArray, sql } from "drizzle-orm";
import { jobs, type NodeRow, nodes } from "../db/schema/index.ts";
import { randomSecret, sha256Hex } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import {
  failJob,
  inFlightJobs,
  markAccepted,
  markOffered,
  offerableJobs,
  offerParams,
  recordEvent,
  requeue,
} from "../services/agent-jobs.ts";
import { createJob } from "../services/jobs.ts";
import type { HubContext } from "./memory-hub.ts";

/** The socket as the session needs it (hono's WSContext satisfies it). */
export interface AgentSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

type Without<T> = T extends unknown ? Omit<T, "v"> : never;
type Outgoing = Without<ServerFrame>;

const BUSY_RETRY_MS = 2000;
const INVENTORY_MAX_AGE_MS = 10 * 60_000;
export const OFFER_TIMEOUT_MS = 10_000;

/** One agent connection: the protocol state machine between a socket and the database. */
export class AgentSession {
  private greeted = false;
  /** Job kinds the agent announced in hello; others are never offered (an older agent cannot parse them). */
  private capabilities = new Set<string>();
  private agentVersion = "";
  /** Jobs offered to or running on this agent, with when they were offered. */
  readonly inFlight = new Map<string, { offeredAt: number; accepted: boolean }>();
  lastFrameAt: number;
  private dispatching = false;
  private dispatchAgain = false;
  private warnedInvalid = false;
  private closed = false;

  constructor(
    private readonly socket: AgentSocket,
    readonly node: NodeRow,
    private readonly hub: HubContext,
  ) {
    this.lastFrameAt = hub.deps.now();
  }

  send(frame: Outgoing): void {
    this.sendEncoded(encodeFrame(frame));
  }

  /** Sends an already encoded frame (the hub encodes a heartbeat once for every agent). */
  sendEncoded(text: string): void {
    if (!this.closed) this.socket.send(text);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Handles one text frame from the agent. */
  async receive(text: string): Promise<void> {
    this.lastFrameAt = this.hub.deps.now();
    const parsed = parseAgentFrame(text);
    if (!parsed.ok) {
      if (!this.warnedInvalid) {
        this.warnedInvalid = true;
        this.hub.deps.logger.warn("invalid frame from agent", {
          nodeId: this.node.id,
          reason: parsed.error.message,
        });
      }
      this.send({ type: "error", code: parsed.error.code, message: parsed.error.message });
      return;
    }
    const frame = parsed.frame;
    if (!this.greeted && frame.type !== "hello") {
      this.send({ type: "error", code: "not_allowed", message: "send hello first" });
      return;
    }
    try {
      await this.handle(frame);
    } catch (err) {
      this.hub.deps.logger.error("agent frame handling failed", {
        nodeId: this.node.id,
        type: frame.type,
        error: String(err),
      });
      this.send({
        type: "error",
        code: "internal",
        message: "the control plane could not process that frame",
      });
    }
  }

  private async handle(frame: AgentFrame): Promise<void> {
    const deps = this.hub.deps;
    switch (frame.type) {
      case "hello":
        return this.hello(frame);
      case "heartbeat":
        if (frame.metrics) this.hub.noteMetrics(this.node.id, frame.metrics, deps.now(), frame.guests);
        return;
      case "updating":
        await this.updating(frame);
        return;
      case "host": {
        const { v: _v, type: _t, ...check } = frame;
        await deps.db
          .update(nodes)
          .set({ hostCheck: check, ...(check.pveVersion ? { pveVersion: check.pveVersion } : {}) })
          .where(eq(nodes.id, this.node.id));
        return;
      }
      case "accept": {
        const f = this.inFlight.get(frame.jobId);
        if (f) f.accepted = true;
        await markAccepted(deps, this.node.id, frame.jobId);
        return;
      }
      case "reject":
        this.inFlight.delete(frame.jobId);
        if (frame.reason === "busy" || frame.reason === "shutting_down") {
          await requeue(deps, this.node.id, frame.jobId, BUSY_RETRY_MS);
        } else {
          await failJob(
            deps,
            this.node.id,
            frame.jobId,
            "failed",
            `The agent refused the job: ${frame.message}`,
          );
        }
        return;
      case "event": {
        const ack = await recordEvent(deps, this.node.id, frame);
        if (ack === null) {
          this.send({ type: "error", code: "not_allowed", message: `job ${frame.jobId} is not this node's` });
          return;
        }
        if (ack > 0) this.send({ type: "ack", jobId: frame.jobId, seq: ack });
        if (frame.event.kind === "result") {
          this.inFlight.delete(frame.jobId);
          void this.dispatch();
        }
        return;
      }
      case "absent":
        this.inFlight.delete(frame.jobId);
        await failJob(
          deps,
          this.node.id,
          frame.jobId,
          "lost",
          "The agent has no record of this job (its journal was lost); what it did is unknown",
        );
        void this.dispatch();
        return;
      case "rotated":
        await deps.db
          .update(nodes)
          .set({
            credentialHash: sql`${nodes.pendingCredentialHash}`,
            credentialId: sql`${nodes.pendingCredentialId}`,
            pendingCredentialHash: null,
            pendingCredentialId: null,
          })
          .where(and(eq(nodes.id, this.node.id), eq(nodes.pendingCredentialId, frame.credentialId)));
        return;
      case "error":
        deps.logger.warn("agent reported a protocol error", {
          nodeId: this.node.id,
          code: frame.code,
          message: frame.message,
        });
        return;
    }
  }

  private async hello(frame: Extract<AgentFrame, { type: "hello" }>): Promise<void> {
    const deps = this.hub.deps;
    const now = deps.now();
    await deps.db
      .update(nodes)
      .set({
        agentVersion: frame.agentVersion,
        pveVersion: frame.pveVersion,
        hostName: frame.nodeName,
        connectedInstance: this.hub.instanceId,
        connectedAt: now,
        lastSeenAt: now,
      })
      .where(eq(nodes.id, this.node.id));
    this.greeted = true;
    this.capabilities = new Set(frame.capabilities);
    this.agentVersion = frame.agentVersion;
    this.send({
      type: "welcome",
      nodeId: this.node.id,
      serverTime: now,
      heartbeatMs: this.hub.heartbeatMs,
      maxConcurrentJobs: this.hub.maxConcurrentJobs,
    });
    const held = new Map(frame.jobs.map((j) => [j.jobId, j]));
    for (const job of await inFlightJobs(deps, this.node.id)) {
      if (held.has(job.id)) {
        this.inFlight.set(job.id, { offeredAt: now, accepted: true });
        await markAccepted(deps, this.node.id, job.id);
        if (job.cancelRequested) this.send({ type: "cancel", jobId: job.id });
      } else if (job.status === "offered") {
        // The offer never reached the agent's journal: offer it again.
        await requeue(deps, this.node.id, job.id, 0);
      } else {
        // Running here but not in the agent's journal: ask; `absent` marks it lost.
        this.inFlight.set(job.id, { offeredAt: now, accepted: true });
        this.send({ type: "status", jobId: job.id });
      }
    }
    await this.refreshInventory(now);
    await this.dispatch();
    await this.update(false, frame.agentVersion);
  }

  /**
   * Orders the agent to update itself to the bundle this control plane serves: when it is older
   * (at hello; not again to a version it already failed to reach), or when an admin asks
   * (`force`). An update in flight whose target version said hello is done.
   */
  async update(force: boolean, helloVersion?: string): Promise<void> {
    const deps = this.hub.deps;
    const bundle = await deps.agentBundle?.();
    const [row] = await deps.db
      .select({ u: nodes.agentUpdate })
      .from(nodes)
      .where(eq(nodes.id, this.node.id));
    const current = row?.u ?? null;
    const now = new Date(deps.now()).toISOString();
    if (helloVersion && current?.state === "updating") {
      if (helloVersion === current.to)
        await this.setUpdate({ ...current, state: "succeeded", finishedAt: now, message: null });
      // Back on the old version: the rolled-back agent says why (an `updating` frame).
      return;
    }
    const from = helloVersion ?? this.agentVersion;
    if (!bundle || !from) return;
    if (!force) {
      if (compareVersions(from, bundle.version) >= 0) return;
      if (current?.state === "failed" && current.to === bundle.version) return;
    }
    await this.setUpdate({
      state: "updating",
      from,
      to: bundle.version,
      startedAt: now,
      finishedAt: null,
      message: null,
    });
    this.send({ type: "update", version: bundle.version, sha256: bundle.sha256, url: "/install/agent.mjs" });
  }

  private async updating(frame: Extract<AgentFrame, { type: "updating" }>): Promise<void> {
    const deps = this.hub.deps;
    const [row] = await deps.db
      .select({ u: nodes.agentUpdate })
      .from(nodes)
      .where(eq(nodes.id, this.node.id));
    const now = new Date(deps.now()).toISOString();
    const base = row?.u ?? { from: frame.from, to: frame.to, startedAt: now };
    if (frame.state === "failed" || frame.state === "rolled_back") {
      const why =
        frame.state === "rolled_back"
          ? `rolled back to ${frame.from}: ${frame.message ?? ""}`
          : frame.message;
      await this.setUpdate({ ...base, state: "failed", finishedAt: now, message: why?.trim() || null });
    } else await this.setUpdate({ ...base, state: "updating", finishedAt: null, message: frame.state });
  }

  private async setUpdate(u: AgentUpdate): Promise<void> {
    await this.hub.deps.db.update(nodes).set({ agentUpdate: u }).where(eq(nodes.id, this.node.id));
  }

  /** Queues a node.inventory job on connect when the last one is missing or older than 10 minutes. */
  private async refreshInventory(now: number): Promise<void> {
    const deps = this.hub.deps;
    const [node] = await deps.db
      .select({ at: nodes.inventoryAt })
      .from(nodes)
      .where(eq(nodes.id, this.node.id));
    if (node?.at && now - node.at < INVENTORY_MAX_AGE_MS) return;
    const [pending] = await deps.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(
        and(
          eq(jobs.nodeId, this.node.id),
          eq(jobs.kind, "node.inventory"),
          inArray(jobs.status, ["queued", "offered", "running"]),
        ),
      )
      .limit(1);
    if (!pending)
      await createJob(deps, {
        nodeId: this.node.id,
        kind: "node.inventory",
        params: {},
        requestedBy: "system",
      });
  }

  /** Offers queued jobs while the agent has room. Re-entrant calls coalesce into one more pass. */
  async dispatch(): Promise<void> {
    if (!this.greeted || this.closed) return;
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.dispatchAgain = false;
        const room = this.hub.maxConcurrentJobs - this.inFlight.size;
        if (room <= 0) break;
        for (const job of await offerableJobs(this.hub.deps, this.node.id, room)) {
          if (!this.capabilities.has(job.kind)) {
            await failJob(
              this.hub.deps,
              this.node.id,
              job.id,
              "failed",
              `The agent on this node (version ${this.agentVersion}) does not run ${job.kind}; upgrade the agent`,
            );
            continue;
          }
          const offered = await markOffered(this.hub.deps, job.id);
          if (!offered || this.closed) continue;
          this.inFlight.set(job.id, { offeredAt: this.hub.deps.now(), accepted: false });
          // Secrets are decrypted only here, on the way to the agent.
          const params = await offerParams(this.hub.deps.secretKey, job);
          this.send({ type: "offer", jobId: job.id, kind: job.kind, params, attempt: offered.attempts });
        }
      } while (this.dispatchAgain);
    } finally {
      this.dispatching = false;
    }
  }

  /** Re-queues offers the agent never answered (lost in a cut link). */
  async expireOffers(now: number): Promise<void> {
    let freed = false;
    for (const [jobId, f] of this.inFlight) {
      if (!f.accepted && now - f.offeredAt > OFFER_TIMEOUT_MS) {
        this.inFlight.delete(jobId);
        await requeue(this.hub.deps, this.node.id, jobId, 0);
        freed = true;
      }
    }
    if (freed) await this.dispatch();
  }

  /** Starts a credential rotation over this connection. */
  async rotate(): Promise<void> {
    const credential = `pya_${randomSecret(32)}`;
    const credentialId = newId("cred");
    await this.hub.deps.db
      .update(nodes)
      .set({ pendingCredentialHash: sha256Hex(credential), pendingCredentialId: credentialId })
      .where(eq(nodes.id, this.node.id));
    this.send({ type: "rotate", credentialId, credential });
  }

  /** The connection ended: forget it, unless a newer one already replaced it. */
  async detach(replaced: boolean): Promise<void> {
    this.closed = true;
    if (replaced) return;
    const deps = this.hub.deps;
    await deps.db
      .update(nodes)
      .set({ connectedInstance: null, lastSeenAt: deps.now() })
      .where(and(eq(nodes.id, this.node.id), eq(nodes.connectedInstance, this.hub.instanceId)));
  }
}
