// The node's guest list kept current from heartbeats (issue 14: "0 guests" with four apps
// running until someone pressed Refresh inventory). Agents that send each guest's type, name
// and lock with their figures let the control plane rewrite the inventory's guests whenever
// they change, within one metrics flush; templates (not in heartbeats) are kept as they were.
import type { InStatement } from "@libsql/client";
import type { GuestMetrics, Inventory } from "@pylon/shared";

/**
 * One statement: the node's templates from its stored inventory, plus the guests of the
 * heartbeat, ordered by vmid, become the inventory's guests. Nodes without an inventory yet
 * wait for their first inventory job.
 */
const UPDATE_GUESTS = `update nodes set inventory = json_set(inventory, '$.guests', (
  select json_group_array(json(g)) from (
    select g from (
      select value as g from json_each(nodes.inventory, '$.guests') where json_extract(value, '$.template')
      union all
      select value as g from json_each(?)
    ) order by json_extract(g, '$.vmid')
  )
)) where id = ? and inventory is not null`;

type Guest = Inventory["guests"][number];

/** Tracks what each node's guest list was last written as, to write it only when it changes. */
export class GuestListWriter {
  private readonly written = new Map<string, string>();
  private readonly pending = new Map<string, string>();

  /** The statement writing `guests` as the node's guest list, or null if unchanged (or an old agent). */
  statement(nodeId: string, guests: GuestMetrics[] | undefined): InStatement | null {
    if (!guests || guests.some((g) => !g.type)) return null;
    const list: Guest[] = guests.map((g) => ({
      vmid: g.vmid,
      type: g.type ?? "lxc",
      name: g.name ?? "",
      status: g.status,
      template: false,
      cpus: g.cpus,
      maxmem: g.maxmem,
      maxdisk: g.maxdisk,
      lock: g.lock ?? null,
    }));
    const text = JSON.stringify(list);
    if (this.written.get(nodeId) === text || this.pending.get(nodeId) === text) return null;
    this.pending.set(nodeId, text);
    return { sql: UPDATE_GUESTS, args: [text, nodeId] };
  }

  /** The statements given out were written: remember them as the nodes' current lists. */
  committed(): void {
    for (const [nodeId, text] of this.pending) this.written.set(nodeId, text);
    this.pending.clear();
  }

  /** The write failed: the next heartbeat tries again. */
  failed(): void {
    this.pending.clear();
  }
}
