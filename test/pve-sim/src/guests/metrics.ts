import { parseSize } from "../schema/formats.ts";
import { parsePropertyString } from "../schema/validate.ts";
import type { World } from "../world.ts";
import type { Guest } from "./guest.ts";

const MiB = 2 ** 20;

/** Size in bytes of the guest's root disk (rootfs for CTs, boot disk for VMs). */
export function rootDiskSize(g: Guest): number {
  const key =
    g.kind === "lxc" ? "rootfs" : (["scsi0", "virtio0", "sata0", "ide0"].find((k) => g.config[k]) ?? "");
  const value = g.config[key];
  if (!value) return 0;
  const size = /(?:^|,)size=([^,]+)/.exec(value)?.[1];
  return size ? (parseSize(size) ?? 0) : 0;
}

/** Seconds since start, 0 when stopped. */
export function uptime(g: Guest): number {
  return g.status === "running" && g.startedAt
    ? Math.max(1, Math.floor((Date.now() - g.startedAt) / 1000))
    : 0;
}

/** The usage figures PVE reports for a guest (deterministic, plausible). */
export function guestStats(g: Guest): Record<string, number> {
  const running = g.status === "running";
  const maxmem = Number(g.config.memory ?? 512) * MiB;
  const cpus = Number(g.config.cores ?? 1);
  const up = uptime(g);
  const maxdisk = rootDiskSize(g);
  return {
    cpu: running ? 0.01 + (g.vmid % 7) / 1000 : 0,
    cpus,
    maxcpu: cpus,
    mem: running ? Math.floor(maxmem * 0.12) + (g.vmid % 13) * MiB : 0,
    maxmem,
    maxswap: Number(g.config.swap ?? 512) * MiB,
    swap: 0,
    disk: g.kind === "lxc" ? Math.floor(maxdisk * 0.18) : 0,
    maxdisk,
    uptime: up,
    netin: running ? up * 1200 : 0,
    netout: running ? up * 800 : 0,
    diskread: running ? up * 5000 : 0,
    diskwrite: running ? up * 3000 : 0,
  };
}

/** The list item for /nodes/{n}/lxc|qemu and /cluster/resources. */
export function guestSummary(world: World, g: Guest): Record<string, unknown> {
  const s = guestStats(g);
  const item: Record<string, unknown> = {
    vmid: g.vmid,
    name: g.config.hostname ?? g.config.name ?? `${g.kind === "lxc" ? "CT" : "VM"}${g.vmid}`,
    status: g.status,
    ...s,
    template: g.config.template === "1" ? 1 : 0,
    tags: g.config.tags ?? "",
    node: world.node,
  };
  if (g.config.lock) item.lock = g.config.lock;
  if (g.kind === "qemu" && g.pid) item.pid = g.pid;
  return item;
}

/** Parses the net0 property of a guest. */
export function net0(g: Guest): Record<string, string> {
  const v = g.config.net0;
  if (!v) return {};
  try {
    return parsePropertyString(
      Object.fromEntries(
        [
          "name",
          "bridge",
          "ip",
          "gw",
          "ip6",
          "gw6",
          "hwaddr",
          "tag",
          "firewall",
          "mtu",
          "type",
          "rate",
          "link_down",
          "trunks",
          "model",
          "macaddr",
          "queues",
          "virtio",
          "e1000",
        ].map((k) => [k, { type: "string", optional: 1 }]),
      ),
      v,
    );
  } catch {
    return {};
  }
}

/** About 70 rows of RRD data for a timeframe, values missing where there is no data. */
export function rrdRows(
  timeframe: string,
  fields: (t: number, i: number) => Record<string, number> | undefined,
): Record<string, number>[] {
  const step = { hour: 60, day: 1800, week: 10800, month: 43200, year: 604800 }[timeframe] ?? 60;
  const now = Math.floor(Date.now() / 1000 / step) * step;
  const rows: Record<string, number>[] = [];
  for (let i = 69; i >= 0; i--) {
    const time = now - i * step;
    rows.push({ time, ...(fields(time, i) ?? {}) });
  }
  return rows;
}
