import {
  GUEST_TYPES,
  type GuestMetrics,
  MAX_HEARTBEAT_GUESTS,
  type NodeMetrics,
} from "@pylon/shared/protocol/index";
import type { Logger } from "../log.ts";
import type { PveClient } from "../proxmox/client.ts";
import type { ClusterResource } from "../proxmox/types.ts";
import { errorMessage } from "../util/errors.ts";

const nonNegative = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n > 0 ? n : 0);

const isGuestType = (t: string): t is (typeof GUEST_TYPES)[number] =>
  (GUEST_TYPES as readonly string[]).includes(t);

/**
 * The heartbeat figures of the node's guests, from one /cluster/resources?type=vm answer, with
 * what the inventory lists of each (type, name, lock) so the node's guest list stays current.
 */
export function guestMetrics(resources: ClusterResource[], node: string): GuestMetrics[] {
  const out: GuestMetrics[] = [];
  for (const r of resources) {
    if (r.node !== node || !r.vmid || r.template) continue;
    out.push({
      vmid: r.vmid,
      ...(isGuestType(r.type) ? { type: r.type } : {}),
      name: (r.name ?? "").slice(0, 100),
      lock: r.lock ? r.lock.slice(0, 50) : null,
      status: (r.status ?? "unknown").slice(0, 50),
      cpu: nonNegative(r.cpu),
      cpus: nonNegative(r.maxcpu),
      mem: nonNegative(r.mem),
      maxmem: nonNegative(r.maxmem),
      disk: nonNegative(r.disk),
      maxdisk: nonNegative(r.maxdisk),
      netin: nonNegative(r.netin),
      netout: nonNegative(r.netout),
      uptime: nonNegative(r.uptime),
    });
    if (out.length === MAX_HEARTBEAT_GUESTS) break;
  }
  return out;
}

/**
 * Host metrics for heartbeats from /nodes/{n}/status and the node's storages, and the node's
 * guests' figures from /cluster/resources?type=vm. Sampled in the background at most every
 * `minIntervalMs`; a heartbeat never waits for Proxmox, it carries the latest sample.
 */
export class MetricsSampler {
  #latest: NodeMetrics | undefined;
  #guests: GuestMetrics[] | undefined;
  #lastStart = 0;
  #inFlight = false;
  #failures = 0;

  constructor(
    readonly pve: PveClient,
    readonly node: string,
    public minIntervalMs: number,
    readonly log: Logger,
  ) {}

  /** The latest sample, starting a new one if the last is older than the interval. */
  latest(): NodeMetrics | undefined {
    if (!this.#inFlight && Date.now() - this.#lastStart >= this.minIntervalMs) void this.sample();
    return this.#latest;
  }

  /** The guests' figures of the latest sample (call after `latest()`, which starts samples). */
  guests(): GuestMetrics[] | undefined {
    return this.#guests;
  }

  /** Takes one sample now. */
  async sample(): Promise<NodeMetrics | undefined> {
    this.#inFlight = true;
    this.#lastStart = Date.now();
    try {
      const [status, storages, resources] = await Promise.all([
        this.pve.nodeStatus(this.node),
        this.pve.storages(this.node),
        // Guests are extra: without them the host figures still go out.
        this.pve.clusterResources("vm").catch(() => undefined),
      ]);
      this.#guests = resources && guestMetrics(resources, this.node);
      let diskTotal = 0;
      let diskUsed = 0;
      // Local, active storages only: a shared storage would be counted once per node.
      for (const s of storages) {
        if (!s.active || !s.enabled || s.shared) continue;
        diskTotal += s.total;
        diskUsed += s.used;
      }
      this.#latest = {
        cpu: Math.min(1, Math.max(0, status.cpu)),
        cpus: Math.max(0, Math.trunc(status.cpuinfo?.cpus ?? 0)),
        memTotal: status.memory.total,
        memUsed: status.memory.used,
        diskTotal,
        diskUsed,
        uptime: status.uptime,
        loadavg: status.loadavg.slice(0, 3),
      };
      if (this.#failures > 0) this.log.info("node metrics readable again");
      this.#failures = 0;
    } catch (err) {
      // Logged on the first failure of a run only: Proxmox may be down for a while.
      if (this.#failures++ === 0) this.log.warn("cannot read node metrics", { err: errorMessage(err) });
    } finally {
      this.#inFlight = false;
    }
    return this.#latest;
  }
}
