import { CLOSE, encodeFrame, type GuestMetrics, type NodeMetrics, utf8Length } from "@pylon/shared";
import { and, eq, lte } from "drizzle-orm";
import type { NodeRow } from "../db/schema/index.ts";
import { jobs } from "../db/schema/index.ts";
import { DEFAULT_JOB_OUTPUT_BYTES } from "../services/agent-events.ts";
import { beatInstance } from "../services/instances.ts";
import { AgentSession } from "./agent-session.ts";
import { settle } from "./background.ts";
import type { Change } from "./change-bus.ts";
import { MetricsBuffer } from "./metrics-buffer.ts";
import { applyChangeToSession } from "./session-changes.ts";
import type { HubContext, SessionDeps } from "./session-context.ts";
import type { HibernatableSocket, HubObjectState } from "./workers-platform.ts";

/** What a socket keeps beside it while the object hibernates. */
export interface SocketAttachment {
  node: NodeRow;
  /** When it connected: after hibernation only the newest socket of the node is resumed. */
  connectedAt: number;
  /** Set once the agent is welcomed: what it said in hello. */
  agent: { capabilities: string[]; version: string } | null;
}

export interface NodeHubOptions {
  heartbeatMs?: number;
  maxConcurrentJobs?: number;
  maxJobOutputBytes?: number;
}

/** The alarm's period at most: instance liveness (15 s TTL), offer expiry (10 s), metrics. */
const TICK_MS = 5000;

/**
 * One node's hub on Workers, inside its Durable Object: holds the node's agent socket (accepted
 * with the hibernation API, so an idle link costs no memory), runs the same AgentSession as the
 * Node hub, reacts to the node's changes, and streams them to live views that watch. The
 * object's hooks (runtime/worker.ts) only parse and delegate here.
 */
export class NodeHubObject implements HubContext {
  readonly heartbeatMs: number;
  readonly maxConcurrentJobs: number;
  readonly maxJobOutputBytes: number;
  private readonly sessions = new Map<HibernatableSocket, AgentSession>();
  private readonly queues = new Map<HibernatableSocket, Promise<void>>();
  private readonly watchers = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  private readonly metrics: MetricsBuffer;
  private readonly detachLater = new Set<AgentSession>();
  private readonly startedAt: number;
  /** The node this object serves, known from its first connection (or a socket's attachment). */
  nodeId: string | undefined;
  private lastBeatSent = 0;

  constructor(
    private readonly state: HubObjectState,
    readonly deps: SessionDeps,
    opts: NodeHubOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.maxConcurrentJobs = opts.maxConcurrentJobs ?? 4;
    this.maxJobOutputBytes = opts.maxJobOutputBytes ?? DEFAULT_JOB_OUTPUT_BYTES;
    this.startedAt = deps.now();
    this.metrics = new MetricsBuffer(deps);
    deps.bus.subscribe((c) => this.onChange(c));
    this.resumeAll(state.getWebSockets());
  }

  /** The node rows' `connectedInstance` for this object: stable across hibernation. */
  get instanceId(): string {
    return `do_${this.nodeId ?? "unknown"}`;
  }

  /** A new agent connection (already authenticated by the Worker). */
  async attach(ws: HibernatableSocket, node: NodeRow): Promise<void> {
    this.nodeId = node.id;
    this.state.acceptWebSocket(ws);
    const attachment: SocketAttachment = { node, connectedAt: this.deps.now(), agent: null };
    ws.serializeAttachment(attachment);
    const session = this.sessionFor(ws, node);
    for (const [other, s] of this.sessions) {
      if (other === ws) continue;
      s.close(CLOSE.replaced, "replaced by a newer connection");
      this.sessions.delete(other);
      this.queues.delete(other);
      await settle(this.deps.logger, "agent detach", () => s.detach(true), { nodeId: node.id });
    }
    this.sessions.set(ws, session);
    await this.beat();
    await this.arm();
  }

  /** One frame from the agent, handled in order after the ones before it. */
  message(ws: HibernatableSocket, data: string | ArrayBuffer): Promise<void> {
    const session = this.sessions.get(ws);
    if (!session) return Promise.resolve();
    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
    const bytes = utf8Length(text);
    const next = (this.queues.get(ws) ?? Promise.resolve())
      .then(() => session.receive(text, bytes))
      .then(() => this.remember(ws, session))
      .catch((err) =>
        this.deps.logger.error("agent frame failed", { nodeId: session.node.id, error: String(err) }),
      );
    this.queues.set(ws, next);
    return next;
  }

  /** The agent's socket closed (or failed): forget it, unless a newer one replaced it. */
  async closed(ws: HibernatableSocket): Promise<void> {
    const session = this.sessions.get(ws);
    if (!session) return;
    await this.queues.get(ws);
    this.sessions.delete(ws);
    this.queues.delete(ws);
    const ok = await settle(this.deps.logger, "agent detach", () => session.detach(false), {
      nodeId: session.node.id,
    });
    if (!ok) this.detachLater.add(session);
  }

  /** A change about this node published elsewhere. */
  change(change: Change): void {
    this.deps.bus.receive(change);
  }

  /** A live view's stream of this node's changes, one JSON object a line. */
  watch(): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.watchers.add(writable.getWriter());
    return readable;
  }

  /** The alarm: liveness, heartbeats, offer expiry, catch-up dispatch, metrics, failed detaches. */
  async alarm(): Promise<void> {
    const now = this.deps.now();
    for (const s of [...this.detachLater])
      if (await settle(this.deps.logger, "agent detach", () => s.detach(false))) this.detachLater.delete(s);
    if (this.sessions.size > 0) {
      await this.beat();
      this.heartbeat(now);
      await settle(this.deps.logger, "hub sweep", async () => {
        for (const s of this.sessions.values()) {
          if (s.jobs.inFlight.size > 0) await s.jobs.expireOffers(now);
          if (await this.hasQueuedWork(s.node.id, now)) await s.jobs.dispatch();
        }
      });
    }
    await settle(this.deps.logger, "metrics flush", () => this.metrics.flush());
    await this.arm(true);
  }

  noteMetrics(nodeId: string, m: NodeMetrics, at: number, guests?: GuestMetrics[]): void {
    this.metrics.note(nodeId, m, at, guests);
  }

  private sessionFor(ws: HibernatableSocket, node: NodeRow): AgentSession {
    return new AgentSession({ send: (d) => ws.send(d), close: (c, r) => ws.close(c, r) }, node, this);
  }

  /**
   * Woken from hibernation: the sockets are still open and their sessions are rebuilt from their
   * attachments. Only the newest is the node's connection; an older one was being replaced.
   */
  private resumeAll(sockets: HibernatableSocket[]): void {
    const held = sockets
      .map((ws) => ({ ws, a: ws.deserializeAttachment() as SocketAttachment | null }))
      .filter((h): h is { ws: HibernatableSocket; a: SocketAttachment } => Boolean(h.a?.node))
      .sort((x, y) => y.a.connectedAt - x.a.connectedAt);
    const [newest, ...older] = held;
    for (const { ws } of older) ws.close(CLOSE.replaced, "replaced by a newer connection");
    if (newest) this.resume(newest.ws, newest.a);
  }

  private resume(ws: HibernatableSocket, attachment: SocketAttachment): void {
    this.nodeId = attachment.node.id;
    const session = this.sessionFor(ws, attachment.node);
    this.sessions.set(ws, session);
    const agent = attachment.agent;
    if (agent)
      this.queues.set(
        ws,
        settle(this.deps.logger, "agent resume", () => session.resume(agent)).then(() => {}),
      );
  }

  /** Keeps what hello said beside the socket, for a wake from hibernation. */
  private remember(ws: HibernatableSocket, session: AgentSession): void {
    const attachment = ws.deserializeAttachment() as SocketAttachment | null;
    if (!attachment || attachment.agent || !session.isWelcomed) return;
    ws.serializeAttachment({ ...attachment, agent: session.jobs.agent } satisfies SocketAttachment);
  }

  private onChange(c: Change): void {
    if (c.nodeId === this.nodeId) this.tellWatchers(c);
    const session = [...this.sessions.values()].find((s) => s.node.id === c.nodeId);
    if (!session) return;
    applyChangeToSession(session, c, this.deps.logger);
  }

  private tellWatchers(c: Change): void {
    const line = new TextEncoder().encode(`${JSON.stringify(c)}\n`);
    for (const w of this.watchers) {
      // A view that went away fails the write: it is dropped.
      w.write(line).catch(() => {
        this.watchers.delete(w);
        void w.abort().catch(() => {});
      });
    }
  }

  private heartbeat(now: number): void {
    if (now - this.lastBeatSent < this.heartbeatMs - 100) return;
    this.lastBeatSent = now;
    const beat = encodeFrame({ type: "heartbeat", at: now });
    for (const [ws, s] of this.sessions) {
      if (now - s.lastFrameAt > 2.5 * this.heartbeatMs) {
        s.close(CLOSE.goingAway, "no heartbeat");
        void this.closed(ws);
        continue;
      }
      s.sendEncoded(beat);
    }
  }

  private async hasQueuedWork(nodeId: string, now: number): Promise<boolean> {
    const [row] = await this.deps.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.nodeId, nodeId), eq(jobs.status, "queued"), lte(jobs.notBefore, now)))
      .limit(1);
    return row !== undefined;
  }

  private beat(): Promise<boolean> {
    return settle(this.deps.logger, "instance heartbeat", () =>
      beatInstance(this.deps, this.instanceId, this.startedAt),
    );
  }

  /** Keeps the alarm set while there is something to look after. */
  private async arm(fromAlarm = false): Promise<void> {
    if (this.sessions.size === 0 && this.detachLater.size === 0 && !this.metrics.hasPending) return;
    const every = Math.min(TICK_MS, this.heartbeatMs);
    // Inside the alarm the running alarm still counts as set; it is replaced.
    if (fromAlarm || (await this.state.storage.getAlarm()) === null)
      await this.state.storage.setAlarm(this.deps.now() + every);
  }
}
