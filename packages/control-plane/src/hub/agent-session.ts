import {
  type AgentFrame,
  CLOSE,
  encodeFrame,
  frameJobId,
  MAX_FRAME_BYTES,
  parseAgentFrame,
  type ServerFrame,
  utf8Length,
} from "@pylon/shared";
import { and, eq, sql } from "drizzle-orm";
import { type NodeRow, nodes } from "../db/schema/index.ts";
import { randomSecret, sha256Hex } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import { recordEvent } from "../services/agent-events.ts";
import {
  failJob,
  markAccepted,
  queueInventoryIfStale,
  requeue,
  unfinishedJobOf,
} from "../services/agent-jobs.ts";
import { announceJob } from "../services/job-notices.ts";
import { nodeSchedules } from "../services/schedule-push.ts";
import { recordRun } from "../services/schedule-runs.ts";
import { offerAgentUpdate, recordUpdating } from "./agent-update.ts";
import { settle } from "./background.ts";
import type { AgentSocket, HubContext } from "./session-context.ts";
import { type Outgoing, SessionJobs } from "./session-jobs.ts";

export type { AgentSocket } from "./session-context.ts";
export { OFFER_TIMEOUT_MS } from "./session-jobs.ts";

type ErrorCode = Extract<ServerFrame, { type: "error" }>["code"];

const BUSY_RETRY_MS = 2000;
/** An `error` frame's message is at most this long (the protocol's bound). */
const MAX_ERROR_MESSAGE = 2000;

function jobIdOf(frame: AgentFrame): string | undefined {
  return "jobId" in frame ? frame.jobId : undefined;
}

/**
 * One agent connection: the protocol state machine between a socket and the database. A frame
 * it cannot take is answered with an `error` frame (naming the frame's job when it names one),
 * never by closing the link: one bad frame must not take a node offline (issue 10).
 */
export class AgentSession {
  private greeted = false;
  /** This connection's jobs: in flight, offers, dispatch. */
  readonly jobs: SessionJobs;
  lastFrameAt: number;
  /** Kinds of refusal already logged for this connection (each is logged once). */
  private readonly warned = new Set<string>();
  private closed = false;

  constructor(
    private readonly socket: AgentSocket,
    readonly node: NodeRow,
    private readonly hub: HubContext,
  ) {
    this.lastFrameAt = hub.deps.now();
    this.jobs = new SessionJobs(node.id, hub, this);
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

  /** Whether hello was answered (the agent is welcomed). */
  get isWelcomed(): boolean {
    return this.greeted && this.jobs.ready;
  }

  /** Picks up a connection already welcomed (its hub lost its memory; see SessionJobs.resume). */
  async resume(agent: { capabilities: readonly string[]; version: string }): Promise<void> {
    this.greeted = true;
    await this.jobs.resume(agent, this.hub.deps.now());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Handles one text frame from the agent (`bytes`: its size as received). Never rejects. */
  async receive(text: string, bytes = utf8Length(text)): Promise<void> {
    this.lastFrameAt = this.hub.deps.now();
    if (bytes > MAX_FRAME_BYTES) {
      return this.refuse(
        "too_large",
        "invalid_frame",
        `a frame of ${bytes} bytes is over the link's limit of ${MAX_FRAME_BYTES} bytes`,
        frameJobId(text),
      );
    }
    const parsed = parseAgentFrame(text);
    if (!parsed.ok)
      return this.refuse("invalid", parsed.error.code, parsed.error.message, parsed.error.jobId);
    const frame = parsed.frame;
    if (!this.greeted && frame.type !== "hello") {
      this.send({ type: "error", code: "not_allowed", message: "send hello first" });
      return;
    }
    try {
      await this.handle(frame, bytes);
    } catch (err) {
      this.hub.deps.logger.error("agent frame handling failed", {
        nodeId: this.node.id,
        type: frame.type,
        error: String(err),
      });
      if (frame.type === "hello") {
        // Not welcomed, the agent would wait for ever: let it reconnect (with its backoff).
        this.close(CLOSE.tryAgain, "the control plane could not take the connection; try again");
        return;
      }
      const jobId = jobIdOf(frame);
      this.send({
        type: "error",
        code: "internal",
        message: "the control plane could not process that frame; send it again",
        ...(jobId ? { jobId, retry: true } : {}),
      });
    }
  }

  /**
   * Answers a frame refused as a whole (too large, invalid). When it names one of this node's
   * unfinished jobs, that job fails here, and the agent, told which job, drops it: a frame that
   * cannot be taken is never resent for ever.
   */
  private async refuse(kind: string, code: ErrorCode, message: string, jobId?: string): Promise<void> {
    this.noteRefusal(kind, message, jobId);
    let retry = false;
    if (jobId) {
      retry = !(await settle(
        this.hub.deps.logger,
        "failing the job of a refused frame",
        async () => {
          if (!(await unfinishedJobOf(this.hub.deps, this.node.id, jobId))) return;
          await failJob(
            this.hub.deps,
            this.node.id,
            jobId,
            "failed",
            `The agent sent a frame the control plane refused: ${message}`.slice(0, MAX_ERROR_MESSAGE),
          );
          this.jobs.ended(jobId);
        },
        { nodeId: this.node.id, jobId },
      ));
    }
    this.send({
      type: "error",
      code,
      message: (jobId ? `job ${jobId}: ${message}` : message).slice(0, MAX_ERROR_MESSAGE),
      ...(jobId ? { jobId } : {}),
      // The job could not be failed just now: the agent's resend comes back here.
      ...(retry ? { retry } : {}),
    });
  }

  /** Logs the first refused frame of each kind on this connection. */
  private noteRefusal(kind: string, message: string, jobId?: string): void {
    this.warnOnce(kind, "refused a frame from the agent", { reason: message, ...(jobId ? { jobId } : {}) });
  }

  /** Logs once per kind per connection, so a misbehaving agent cannot flood the log. */
  private warnOnce(kind: string, msg: string, fields: Record<string, unknown>): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    const reason = typeof fields.reason === "string" ? fields.reason.slice(0, 500) : undefined;
    this.hub.deps.logger.warn(msg, { nodeId: this.node.id, kind, ...fields, ...(reason ? { reason } : {}) });
  }

  private async handle(frame: AgentFrame, bytes: number): Promise<void> {
    const deps = this.hub.deps;
    switch (frame.type) {
      case "hello":
        return this.hello(frame);
      case "heartbeat":
        if (frame.metrics) this.hub.noteMetrics(this.node.id, frame.metrics, deps.now(), frame.guests);
        return;
      case "updating":
        await recordUpdating(deps, this.node.id, frame);
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
        await markAccepted(deps, this.node.id, frame.jobId);
        // Only once it is recorded: an accept that failed to be stored lets the offer expire and
        // be made again (the agent accepts a held job again without running it twice).
        this.jobs.accepted(frame.jobId);
        return;
      }
      case "reject":
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
        this.jobs.inFlight.delete(frame.jobId);
        return;
      case "event":
        return this.event(frame, bytes);
      case "run": {
        const outcome = await recordRun(deps, this.node.id, frame);
        if (!outcome.ok) {
          this.noteRefusal("run", outcome.message, frame.jobId);
          this.send({
            type: "error",
            code: "not_allowed",
            message: `job ${frame.jobId}: ${outcome.message}`.slice(0, MAX_ERROR_MESSAGE),
            jobId: frame.jobId,
          });
        }
        return;
      }
      case "absent":
        await failJob(
          deps,
          this.node.id,
          frame.jobId,
          "lost",
          "The agent has no record of this job (its journal was lost); what it did is unknown",
        );
        this.jobs.ended(frame.jobId);
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
        this.warnOnce(`agent_${frame.code}`, "agent reported a protocol error", {
          code: frame.code,
          reason: frame.message,
        });
        return;
    }
  }

  /** Stores an event if the rules allow (services/agent-events.ts) and answers ack or error. */
  private async event(frame: Extract<AgentFrame, { type: "event" }>, bytes: number): Promise<void> {
    const outcome = await recordEvent(this.hub.deps, this.node.id, frame, {
      bytes,
      maxOutputBytes: this.hub.maxJobOutputBytes,
    });
    if (outcome.stored) {
      if (outcome.ack > 0) this.send({ type: "ack", jobId: frame.jobId, seq: outcome.ack });
      if (outcome.final) {
        this.jobs.ended(frame.jobId);
        // Only when first stored (a resent result is not final here).
        await settle(this.hub.deps.logger, "failure notice", () => announceJob(this.hub.deps, frame.jobId));
      }
      return;
    }
    this.noteRefusal(outcome.retry ? "event_retry" : "event", outcome.message, frame.jobId);
    this.send({
      type: "error",
      code: "not_allowed",
      message: outcome.message.slice(0, MAX_ERROR_MESSAGE),
      jobId: frame.jobId,
      ...(outcome.retry ? { retry: true } : {}),
    });
    if (outcome.ended) this.jobs.ended(frame.jobId);
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
    this.jobs.setAgent(frame.capabilities, frame.agentVersion);
    this.send({
      type: "welcome",
      nodeId: this.node.id,
      serverTime: now,
      heartbeatMs: this.hub.heartbeatMs,
      maxConcurrentJobs: this.hub.maxConcurrentJobs,
    });
    await this.jobs.reconcile(new Set(frame.jobs.map((j) => j.jobId)), now);
    this.jobs.ready = true;
    await settle(deps.logger, "schedule push", () => this.pushSchedules(), { nodeId: this.node.id });
    // Neither is needed to serve the agent: a failure is logged and tried again later.
    await settle(deps.logger, "inventory refresh", () => queueInventoryIfStale(deps, this.node.id, now), {
      nodeId: this.node.id,
    });
    this.jobs.dispatchSoon();
    await settle(deps.logger, "agent update check", () => this.update(false, frame.agentVersion), {
      nodeId: this.node.id,
    });
  }

  /** Sends the node's schedules (all of them) for the agent to keep and run. */
  async pushSchedules(): Promise<void> {
    if (!this.greeted || this.closed) return;
    this.send({ type: "schedules", schedules: await nodeSchedules(this.hub.deps, this.node.id) });
  }

  /** Tells the agent to update itself when it is older than the served bundle, or when forced. */
  async update(force: boolean, helloVersion?: string): Promise<void> {
    await offerAgentUpdate(
      this.hub.deps,
      this.node.id,
      {
        force,
        ...(helloVersion ? { helloVersion } : {}),
        ...(this.jobs.agentVersion ? { agentVersion: this.jobs.agentVersion } : {}),
      },
      (frame) => this.send(frame),
    );
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
