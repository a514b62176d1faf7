import type { InStatement } from "@libsql/client";
import { CLOSE, encodeFrame, type GuestMetrics, type NodeMetrics } from "@pylon/shared";
import { and, eq, lte } from "drizzle-orm";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { NodeRow } from "../db/schema/index.ts";
import { jobs } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { newId } from "../lib/ids.ts";
import { beatInstance } from "../services/instances.ts";
import { AgentSession } from "./agent-session.ts";
import type { Change } from "./change-bus.ts";
import type { AgentHub } from "./hub.ts";

export interface HubOptions {
  upgradeWebSocket: UpgradeWebSocket;
  heartbeatMs?: number;
  maxConcurrentJobs?: number;
}

/** What a session needs from its hub. */
export interface HubContext {
  deps: Pick<AppDeps, "db" | "now" | "bus" | "logger" | "secretKey" | "agentBundle">;
  instanceId: string;
  heartbeatMs: number;
  maxConcurrentJobs: number;
  noteMetrics(nodeId: string, m: NodeMetrics, at: number, guests?: GuestMetrics[]): void;
}

const SWEEP_MS = 1000;
const INSTANCE_BEAT_MS = 5000;
const METRICS_FLUSH_MS = 5000;
const METRICS_WRITE_MS = 60_000;
const UPDATE_NODE_METRICS = "update nodes set metrics = ?, last_seen_at = ? where id = ?";
const INSERT_SAMPLE =
  "insert into node_metrics (node_id, at, cpu, mem_used, mem_total, disk_used, disk_total) values (?, ?, ?, ?, ?, ?, ?)";
/**
 * One statement per node for all its guests: the guests go as one JSON array of
 * [vmid, cpu, mem, maxmem, disk, maxdisk, netin, netout] and only those that are an app's guest
 * (apps.node_id + vmid) become rows. Net figures are Proxmox's byte counters, stored raw.
 */
const INSERT_APP_SAMPLES = `insert into app_metrics (app_id, at, cpu, mem_used, mem_total, disk_used, disk_total, net_in, net_out)
  select a.id, ?, json_extract(g.value, '$[1]'), json_extract(g.value, '$[2]'), json_extract(g.value, '$[3]'),
    json_extract(g.value, '$[4]'), json_extract(g.value, '$[5]'), json_extract(g.value, '$[6]'), json_extract(g.value, '$[7]')
  from json_each(?) g join apps a on a.node_id = ? and a.vmid = json_extract(g.value, '$[0]')`;
const METRICS_RETAIN_MS = 7 * 24 * 3600_000;
const READ_JOBS_RETAIN_MS = 24 * 3600_000;
const READ_JOB_KINDS = "('app.logs', 'app.diagnostics')";
const DELETE_READ_JOB_EVENTS = `delete from job_events where job_id in (select id from jobs where kind in ${READ_JOB_KINDS} and finished_at <= ?)`;
const DELETE_READ_JOBS = `delete from jobs where kind in ${READ_JOB_KINDS} and finished_at <= ?`;

function textOf(data: unknown): string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data))
    return new TextDecoder().decode(data as ArrayBuffer);
  return String(data);
}

/** The Node runtime's hub: agent sockets held in this process's memory. */
export class MemoryHub implements AgentHub, HubContext {
  readonly instanceId = newId("cp");
  readonly heartbeatMs: number;
  readonly maxConcurrentJobs: number;
  readonly sessions = new Map<string, AgentSession>();
  readonly connect: AgentHub["connect"];
  private readonly startedAt: number;
  private timers: ReturnType<typeof setInterval>[] = [];
  private unsubscribe: (() => void) | undefined;
  /** Latest metrics per node not yet written, and when each node's were last written/sampled. */
  private readonly pendingMetrics = new Map<
    string,
    { m: NodeMetrics; at: number; guests: GuestMetrics[] | undefined }
  >();
  private readonly metricsWritten = new Map<string, number>();
  private lastRetention = 0;
  private sweeping = false;

  constructor(
    readonly deps: Pick<AppDeps, "db" | "now" | "bus" | "logger" | "secretKey" | "agentBundle">,
    opts: HubOptions,
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.maxConcurrentJobs = opts.maxConcurrentJobs ?? 4;
    this.startedAt = deps.now();
    this.connect = opts.upgradeWebSocket((c) => {
      const node: NodeRow = c.get("agentNode");
      let session: AgentSession | undefined;
      let queue = Promise.resolve();
      return {
        onOpen: (_evt: Event, ws: WSContext) => {
          session = this.attach(ws, node);
        },
        onMessage: (evt: MessageEvent, _ws: WSContext) => {
          const s = session;
          if (!s) return;
          // Frames of one agent are handled strictly in order.
          queue = queue.then(() => s.receive(textOf(evt.data)));
        },
        onClose: () => {
          const s = session;
          if (!s) return;
          queue = queue
            .then(() => this.detach(s))
            .catch((err) =>
              this.deps.logger.warn("agent detach failed", { nodeId: s.node.id, error: String(err) }),
            );
        },
        onError: () => {},
      };
    });
  }

  /** Starts the timers: instance liveness, heartbeats, offer expiry, catch-up dispatch. */
  async start(): Promise<void> {
    await beatInstance(this.deps, this.instanceId, this.startedAt);
    this.unsubscribe = this.deps.bus.subscribe((c) => this.onChange(c));
    this.timers.push(
      setInterval(() => void beatInstance(this.deps, this.instanceId, this.startedAt), INSTANCE_BEAT_MS),
    );
    this.timers.push(setInterval(() => this.heartbeat(), this.heartbeatMs));
    this.timers.push(setInterval(() => void this.sweep(), SWEEP_MS));
    this.timers.push(setInterval(() => void this.flushMetrics(), METRICS_FLUSH_MS));
    for (const t of this.timers) t.unref?.();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.unsubscribe?.();
    for (const s of this.sessions.values()) s.close(CLOSE.goingAway, "control plane stopping");
    this.sessions.clear();
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

  private async detach(session: AgentSession): Promise<void> {
    const current = this.sessions.get(session.node.id);
    const replaced = current !== undefined && current !== session;
    if (!replaced) this.sessions.delete(session.node.id);
    await session.detach(replaced);
  }

  private onChange(c: Change): void {
    const session = c.nodeId ? this.sessions.get(c.nodeId) : undefined;
    if (!session) return;
    switch (c.topic) {
      case "job.queued":
        void session.dispatch();
        return;
      case "job.cancel":
        if (c.jobId && session.inFlight.has(c.jobId)) session.send({ type: "cancel", jobId: c.jobId });
        return;
      case "node.revoked":
      case "node.deleted":
        session.close(CLOSE.revoked, c.topic === "node.deleted" ? "node deleted" : "credential revoked");
        return;
      case "node.rotate":
        void session.rotate();
        return;
      case "node.update":
        void session.update(true);
        return;
      default:
        return;
    }
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

  /** Expires lost offers and catches up on queued work a missed change would have announced. */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.sessions.size === 0) return;
    this.sweeping = true;
    try {
      const now = this.deps.now();
      for (const s of this.sessions.values()) if (s.inFlight.size > 0) await s.expireOffers(now);
      const waiting = await this.deps.db
        .selectDistinct({ nodeId: jobs.nodeId })
        .from(jobs)
        .where(and(eq(jobs.status, "queued"), lte(jobs.notBefore, now)));
      for (const { nodeId } of waiting) await this.sessions.get(nodeId)?.dispatch();
    } catch (err) {
      this.deps.logger.warn("hub sweep failed", { error: String(err) });
    } finally {
      this.sweeping = false;
    }
  }

  /** Keeps a node's latest heartbeat metrics (and its guests' figures) for the next flush. */
  noteMetrics(nodeId: string, m: NodeMetrics, at: number, guests?: GuestMetrics[]): void {
    this.pendingMetrics.set(nodeId, { m, at, guests });
  }

  /**
   * Writes pending metrics in one batch: a node's row at most once a minute (its first figures at
   * once) together with one chart sample and its app guests' samples. With thousands of agents
   * this is one transaction of three fixed statements per node, sent straight to the client so
   * its statement cache applies.
   */
  async flushMetrics(): Promise<void> {
    const now = this.deps.now();
    const writes: InStatement[] = [];
    for (const [nodeId, { m, at, guests }] of this.pendingMetrics) {
      if (now - (this.metricsWritten.get(nodeId) ?? 0) < METRICS_WRITE_MS) continue;
      this.pendingMetrics.delete(nodeId);
      this.metricsWritten.set(nodeId, now);
      writes.push({ sql: UPDATE_NODE_METRICS, args: [JSON.stringify(m), at, nodeId] });
      writes.push({
        sql: INSERT_SAMPLE,
        args: [nodeId, at, m.cpu, m.memUsed, m.memTotal, m.diskUsed, m.diskTotal],
      });
      if (guests?.length) {
        const rows = guests.map((g) => [
          g.vmid,
          g.cpu,
          g.mem,
          g.maxmem,
          g.disk,
          g.maxdisk,
          g.netin,
          g.netout,
        ]);
        writes.push({ sql: INSERT_APP_SAMPLES, args: [at, JSON.stringify(rows), nodeId] });
      }
    }
    if (now - this.lastRetention > 3600_000) {
      this.lastRetention = now;
      writes.push({ sql: "delete from node_metrics where at <= ?", args: [now - METRICS_RETAIN_MS] });
      writes.push({ sql: "delete from app_metrics where at <= ?", args: [now - METRICS_RETAIN_MS] });
      // Reads of an app (log views, diagnostics) are jobs too; their rows go after a day.
      const readsBefore = now - READ_JOBS_RETAIN_MS;
      writes.push({ sql: DELETE_READ_JOB_EVENTS, args: [readsBefore] });
      writes.push({ sql: DELETE_READ_JOBS, args: [readsBefore] });
    }
    try {
      for (let i = 0; i < writes.length; i += 2000)
        await this.deps.db.$client.batch(writes.slice(i, i + 2000), "write");
    } catch (err) {
      this.deps.logger.warn("metrics flush failed", { error: String(err) });
    }
  }
}
