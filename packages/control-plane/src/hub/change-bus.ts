import { gt, lt, max } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { CHANGE_TOPICS, type ChangeRow, changes } from "../db/schema/index.ts";
import type { Logger } from "../lib/logger.ts";

export type ChangeTopic = (typeof CHANGE_TOPICS)[number];
export interface Change {
  topic: ChangeTopic;
  nodeId: string | null;
  jobId: string | null;
}
type Listener = (change: Change) => void;

const RETAIN_MS = 5 * 60_000;

/**
 * Changes that other parts of this process, or other control-plane processes, must react to.
 * `publish` writes a row to the `changes` table and tells local listeners at once; `poll` (run
 * by a timer while the process serves) delivers rows written by other processes.
 */
export class ChangeBus {
  private lastId = 0;
  private readonly listeners = new Set<Listener>();
  /** Ids published here and delivered already, skipped when the poll reads them back. */
  private readonly local = new Set<number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling = false;
  private lastPrune = 0;

  constructor(protected readonly deps: { db: Db; now: () => number; logger: Logger }) {}

  /** Starts reading other processes' changes every `intervalMs`. */
  async start(intervalMs = 50): Promise<void> {
    const [row] = await this.deps.db.select({ id: max(changes.id) }).from(changes);
    this.lastId = row?.id ?? 0;
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Registers a listener; returns its removal. `nodeId` names the node whose changes the
   * listener waits for: every change reaches this bus on Node (the poll), but on Workers a live
   * view must ask that node's Durable Object for them (hub/durable-object-bus.ts).
   */
  subscribe(fn: Listener, _nodeId?: string): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Records a change for every process and delivers it here now. */
  async publish(change: Change): Promise<void> {
    const [row] = await this.deps.db
      .insert(changes)
      .values({ ...change, at: this.deps.now() })
      .returning({ id: changes.id });
    if (row && row.id > this.lastId) this.local.add(row.id);
    this.deliver(change);
  }

  /** Delivers a change another process told this one of directly (a Durable Object's `/change`). */
  receive(change: Change): void {
    this.deliver(change);
  }

  protected deliver(change: Change): void {
    for (const fn of this.listeners) {
      try {
        fn(change);
      } catch (err) {
        this.deps.logger.error("change listener failed", { topic: change.topic, error: String(err) });
      }
    }
  }

  /** Reads and delivers changes other processes wrote since the last poll. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const rows: ChangeRow[] = await this.deps.db
        .select()
        .from(changes)
        .where(gt(changes.id, this.lastId))
        .orderBy(changes.id)
        .limit(1000);
      for (const row of rows) {
        this.lastId = row.id;
        if (this.local.delete(row.id)) continue;
        this.deliver({ topic: row.topic, nodeId: row.nodeId, jobId: row.jobId });
      }
      for (const id of this.local) if (id <= this.lastId) this.local.delete(id);
      const now = this.deps.now();
      if (now - this.lastPrune > 60_000) {
        this.lastPrune = now;
        await pruneChanges(this.deps, now);
      }
    } catch (err) {
      this.deps.logger.warn("change feed poll failed", { error: String(err) });
    } finally {
      this.polling = false;
    }
  }
}

/** Deletes change rows older than five minutes (every process has read them by then). */
export async function pruneChanges(deps: { db: Db }, now: number): Promise<void> {
  await deps.db.delete(changes).where(lt(changes.at, now - RETAIN_MS));
}

/** A change as told between processes (a Durable Object's `/change`), or null when it is not one. */
export function parseChange(value: unknown): Change | null {
  if (typeof value !== "object" || value === null) return null;
  const { topic, nodeId, jobId } = value as Record<string, unknown>;
  const optional = (v: unknown): v is string | null => v === null || typeof v === "string";
  if (!(CHANGE_TOPICS as readonly unknown[]).includes(topic) || !optional(nodeId) || !optional(jobId))
    return null;
  return { topic: topic as ChangeTopic, nodeId, jobId };
}
