import type { InStatement } from "@libsql/client";
import type { GuestMetrics, NodeMetrics } from "@pylon/shared";
import { GuestListWriter } from "./guest-list.ts";
import type { SessionDeps } from "./session-context.ts";

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

interface Pending {
  m: NodeMetrics;
  at: number;
  guests: GuestMetrics[] | undefined;
}

/**
 * Heartbeat metrics kept in memory and written in one batch: a node's row at most once a minute
 * (its first figures at once) together with one chart sample and its app guests' samples. Old
 * samples go in the hourly retention pass (services/retention.ts).
 */
export class MetricsBuffer {
  private readonly pending = new Map<string, Pending>();
  private readonly written = new Map<string, number>();
  private readonly guestLists = new GuestListWriter();

  constructor(private readonly deps: Pick<SessionDeps, "db" | "now">) {}

  /** Whether figures wait for the next flush. */
  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Keeps a node's latest heartbeat metrics (and its guests' figures) for the next flush. */
  note(nodeId: string, m: NodeMetrics, at: number, guests?: GuestMetrics[]): void {
    this.pending.set(nodeId, { m, at, guests });
  }

  /**
   * Writes what is due. With thousands of agents this is one transaction of three fixed
   * statements per node, sent straight to the client so its statement cache applies. Rejects
   * when the write fails, with the figures kept for the next flush.
   */
  async flush(): Promise<void> {
    const now = this.deps.now();
    const writes: InStatement[] = [];
    const taken: [string, Pending, number | undefined][] = [];
    for (const [nodeId, p] of this.pending) {
      const { m, at, guests } = p;
      // A changed guest list is written at once, not with the once-a-minute figures.
      const guestList = this.guestLists.statement(nodeId, guests);
      if (guestList) writes.push(guestList);
      if (now - (this.written.get(nodeId) ?? 0) < METRICS_WRITE_MS) continue;
      taken.push([nodeId, p, this.written.get(nodeId)]);
      this.pending.delete(nodeId);
      this.written.set(nodeId, now);
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
    let done = 0;
    try {
      for (; done < writes.length; done += 2000)
        await this.deps.db.$client.batch(writes.slice(done, done + 2000), "write");
      this.guestLists.committed();
    } catch (err) {
      this.guestLists.failed();
      if (done === 0) {
        // Nothing was written: keep the figures (unless newer came meanwhile) for the next flush.
        for (const [nodeId, p, written] of taken) {
          if (!this.pending.has(nodeId)) this.pending.set(nodeId, p);
          if (written === undefined) this.written.delete(nodeId);
          else this.written.set(nodeId, written);
        }
      }
      throw err;
    }
  }
}
