import { CLOSE, encodeFrame, type GuestMetrics, type NodeMetrics, utf8Length } from "@pylon/shared";
import { and, eq, lte } from "drizzle-orm";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { NodeRow } from "../db/schema/index.ts";
import { jobs, nodes } from "../db/schema/index.ts";
import { newId } from "../lib/ids.ts";
import { DEFAULT_JOB_OUTPUT_BYTES } from "../services/agent-events.ts";
import { beatInstance } from "../services/instances.ts";
import { notify } from "../services/notifications.ts";
import { applyRetention } from "../services/retention.ts";
import { runDueUpdateChecks } from "../services/update-check-schedules.ts";
import { AgentSession } from "./agent-session.ts";
import { settle } from "./background.ts";
import type { Change } from "./change-bus.ts";
import type { AgentHub } from "./hub.ts";
import { MetricsBuffer } from "./metrics-buffer.ts";
import { applyChangeToSession } from "./session-changes.ts";
import type { HubContext, SessionDeps } from "./session-context.ts";

export type { HubContext } from "./session-context.ts";

export interface HubOptions {
  upgradeWebSocket: UpgradeWebSocket;
  heartbeatMs?: number;
  maxConcurrentJobs?: number;
  /** Output a job may store before it fails (default 16 MiB). */
  maxJobOutputBytes?: number;
  /** Timer intervals (tests shorten them). */
  timing?: Partial<HubTiming>;
}

interface HubTiming {
  /** Offer expiry, catch-up dispatch, detach retries. */
  sweepMs: number;
  /** This process's liveness row. */
  instanceBeatMs: number;
  /** A failed instance heartbeat is tried again this soon (a process is alive for 15 s per beat). */
  instanceRetryMs: number;
  metricsFlushMs: number;
}

const TIMING: HubTiming = {
  sweepMs: 1000,
  instanceBeatMs: 5000,
  instanceRetryMs: 1000,
  metricsFlushMs: 5000,
};
const RETENTION_EVERY_MS = 3600_000;
/** How often update-check schedules are looked at (they run here, not on the node). */
const UPDATE_CHECKS_EVERY_MS = 5 * 60_000;
/** Frames of one connection waiting to be handled, in bytes, past which its socket is paused. */
const PAUSE_BYTES = 8 * 1024 * 1024;

function textOf(data: unknown): string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data))
    return new TextDecoder().decode(data as ArrayBuffer);
  return String(data);
}

/** The parts of ws's WebSocket (hono's `WSContext.raw` on Node) that apply backpressure. */
interface Pausable {
  pause?: () => void;
  resume?: () => void;
}

/** The Node runtime's hub: agent sockets held in this process's memory. */
export class MemoryHub implements AgentHub, HubContext {
  readonly instanceId = newId("cp");
  readonly heartbeatMs: number;
  readonly maxConcurrentJobs: number;
  readonly maxJobOutputBytes: number;
  readonly sessions = new Map<string, AgentSession>();
  readonly connect: AgentHub["connect"];
  private readonly startedAt: number;
  private timers: ReturnType<typeof setInterval>[] = [];
  private unsubscribe: (() => void) | undefined;
  private readonly metrics: MetricsBuffer;
  private lastRetention = 0;
  private lastUpdateChecks = 0;
  /** Connections that ended but whose node row still names this process (the write failed). */
  private readonly detachLater = new Set<AgentSession>();
  /** Nodes whose agent left, checked again after a grace to announce them offline. */
  private readonly offlineChecks = new Map<string, ReturnType<typeof setTimeout>>();
  private stopping = false;
  private sweeping = false;
  private readonly timing: HubTiming;
  private beatRetry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly deps: SessionDeps,
    opts: HubOptions,
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.maxConcurrentJobs = opts.maxConcurrentJobs ?? 4;
    this.maxJobOutputBytes = opts.maxJobOutputBytes ?? DEFAULT_JOB_OUTPUT_BYTES;
    this.timing = { ...TIMING, ...opts.timing };
    this.startedAt = deps.now();
    this.metrics = new MetricsBuffer(deps);
    this.connect = opts.upgradeWebSocket((c) => {
      const node: NodeRow = c.get("agentNode");
      let session: AgentSession | undefined;
      let queue = Promise.resolve();
      let waiting = 0;
      let paused = false;
      return {
        onOpen: (_evt: Event, ws: WSContext) => {
          session = this.attach(ws, node);
        },
        onMessage: (evt: MessageEvent, ws: WSContext) => {
          const s = session;
          if (!s) return;
          const text = textOf(evt.data);
          const bytes = utf8Length(text);
          // Frames of one agent are handled strictly in order. A flood is held back at the
          // socket (TCP backpressure) instead of queueing without bound in memory.
          waiting += bytes;
          const raw = ws.raw as Pausable | undefined;
          if (waiting > PAUSE_BYTES && !paused && raw?.pause) {
            paused = true;
            raw.pause();
          }
          queue = queue
            .then(() => s.receive(text, bytes))
            .catch((err) =>
              this.deps.logger.error("agent frame failed", { nodeId: s.node.id, error: String(err) }),
            )
            .finally(() => {
              waiting -= bytes;
              if (paused && waiting < PAUSE_BYTES / 4) {
                paused = false;
                raw?.resume?.();
              }
            });
        },
        onClose: () => {
          const s = session;
          if (!s) return;
          queue = queue.then(() => this.detach(s));
        },
        onError: () => {},
      };
    });
  }

  /** Starts the timers: instance liveness, heartbeats, offer expiry, catch-up dispatch, metrics. */
  async start(): Promise<void> {
    await beatInstance(this.deps, this.instanceId, this.startedAt);
    this.unsubscribe = this.deps.bus.subscribe((c) => this.onChange(c));
    const t = this.timing;
    this.timers.push(setInterval(() => void this.beat(), t.instanceBeatMs));
    this.timers.push(setInterval(() => this.heartbeat(), this.heartbeatMs));
    this.timers.push(setInterval(() => void this.sweep(), t.sweepMs));
    this.timers.push(setInterval(() => void this.flushMetrics(), t.metricsFlushMs));
    for (const timer of this.timers) timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.offlineChecks.values()) clearTimeout(t);
    this.offlineChecks.clear();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.beatRetry);
    this.unsubscribe?.();
    for (const s of this.sessions.values()) s.close(CLOSE.goingAway, "control plane stopping");
    this.sessions.clear();
  }

  /** Records that this process is alive; a failure is tried again within a second. */
  private async beat(): Promise<void> {
    const ok = await settle(this.deps.logger, "instance heartbeat", () =>
      beatInstance(this.deps, this.instanceId, this.startedAt),
    );
    if (!ok && !this.beatRetry && this.timers.length > 0) {
      this.beatRetry = setTimeout(() => {
        this.beatRetry = undefined;
        void this.beat();
      }, this.timing.instanceRetryMs);
      this.beatRetry.unref?.();
    }
  }

  private attach(ws: WSContext, node: NodeRow): AgentSession {
    const session = new AgentSession(
      { send: (d) => ws.send(d), close: (c, r) => ws.close(c, r) },
      node,
      this,
    );
    const previous = this.sessions.get(node.id);
    this.sessions.set(node.id, session);
    previous?.close(CLOSE.replaced, "replaced by a newer connection");
    return session;
  }

  /** Forgets a connection; if the node row cannot be updated now, the sweep tries again. */
  private async detach(session: AgentSession): Promise<void> {
    const current = this.sessions.get(session.node.id);
    const replaced = current !== undefined && current !== session;
    if (!replaced) this.sessions.delete(session.node.id);
    const ok = await settle(this.deps.logger, "agent detach", () => session.detach(replaced), {
      nodeId: session.node.id,
    });
    if (!ok) this.detachLater.add(session);
    if (!replaced) this.watchOffline(session.node);
  }

  /**
   * A node whose agent left and has not come back within a grace (an agent restart or update
   * reconnects sooner) is announced offline through the notification webhook.
   */
  private watchOffline(node: NodeRow): void {
    if (this.stopping || this.offlineChecks.has(node.id)) return;
    const graceMs = Math.max(10_000, 3 * this.heartbeatMs);
    const timer = setTimeout(() => {
      this.offlineChecks.delete(node.id);
      if (this.stopping || this.sessions.has(node.id)) return;
      void settle(this.deps.logger, "offline notice", async () => {
        const [row] = await this.deps.db
          .select({ connectedInstance: nodes.connectedInstance })
          .from(nodes)
          .where(eq(nodes.id, node.id));
        if (!row || row.connectedInstance) return;
        notify(this.deps, {
          event: "node.offline",
          title: `Node ${node.name} is offline`,
          text: `Its agent has not been connected for ${Math.round(graceMs / 1000)} s`,
          node: node.name,
        });
      });
    }, graceMs);
    timer.unref?.();
    this.offlineChecks.set(node.id, timer);
  }

  private onChange(c: Change): void {
    const session = c.nodeId ? this.sessions.get(c.nodeId) : undefined;
    if (!session) return;
    applyChangeToSession(session, c, this.deps.logger);
  }

  private heartbeat(): void {
    const now = this.deps.now();
    const beat = encodeFrame({ type: "heartbeat", at: now });
    for (const s of this.sessions.values()) {
      if (now - s.lastFrameAt > 2.5 * this.heartbeatMs) {
        // Half-open: nothing heard for two and a half beats.
        s.close(CLOSE.goingAway, "no heartbeat");
        void this.detach(s);
        continue;
      }
      s.sendEncoded(beat);
    }
  }

  /**
   * Expires lost offers, catches up on queued work a missed change (or a failed dispatch) would
   * have offered, and retries detaches that failed.
   */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const s of this.detachLater) {
        // A newer connection of the node (here) has taken over: nothing to undo.
        const current = this.sessions.get(s.node.id);
        if (current && current !== s) this.detachLater.delete(s);
        else if (await settle(this.deps.logger, "agent detach", () => s.detach(false)))
          this.detachLater.delete(s);
      }
      if (this.sessions.size === 0) return;
      await settle(this.deps.logger, "hub sweep", async () => {
        const now = this.deps.now();
        for (const s of this.sessions.values()) if (s.jobs.inFlight.size > 0) await s.jobs.expireOffers(now);
        const waiting = await this.deps.db
          .selectDistinct({ nodeId: jobs.nodeId })
          .from(jobs)
          .where(and(eq(jobs.status, "queued"), lte(jobs.notBefore, now)));
        for (const { nodeId } of waiting) await this.sessions.get(nodeId)?.jobs.dispatch();
      });
    } finally {
      this.sweeping = false;
    }
  }

  /** Keeps a node's latest heartbeat metrics (and its guests' figures) for the next flush. */
  noteMetrics(nodeId: string, m: NodeMetrics, at: number, guests?: GuestMetrics[]): void {
    this.metrics.note(nodeId, m, at, guests);
  }

  /**
   * Writes pending metrics (see MetricsBuffer); a failure keeps them for the next flush. Every 5
   * minutes it runs the update checks that are due; once an hour the retention pass (services/retention.ts); a failed pass is tried again at
   * the next flush.
   */
  async flushMetrics(): Promise<void> {
    await settle(this.deps.logger, "metrics flush", () => this.metrics.flush());
    const now = this.deps.now();
    if (now - this.lastUpdateChecks > UPDATE_CHECKS_EVERY_MS) {
      this.lastUpdateChecks = now;
      await settle(this.deps.logger, "update checks", () => runDueUpdateChecks(this.deps));
    }
    if (now - this.lastRetention <= RETENTION_EVERY_MS) return;
    await settle(this.deps.logger, "retention", async () => {
      const deleted = await applyRetention(this.deps, now);
      this.lastRetention = now;
      if (Object.values(deleted).some((n) => n > 0)) this.deps.logger.info("retention", { deleted });
    });
  }
}
