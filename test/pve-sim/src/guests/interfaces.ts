import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { World } from "../world.ts";
import { containersOf, dockerStateDir } from "./docker-state.ts";
import type { Guest } from "./guest.ts";
import { hasAddress } from "./lifecycle.ts";

// What a guest's own `ip addr` shows, and so what PVE's CT `interfaces` call and the QEMU guest
// agent's network-get-interfaces report: lo, the NIC of net0 (its IPv4 only once DHCP answered,
// a link-local IPv6 from the start), and, once Docker runs in the guest, docker0 (172.17.0.1),
// one br-<id> bridge per compose project network and a veth per running container. Docker
// starts with the guest, before DHCP has answered, so for a while after a start the only IPv4
// besides loopback is docker0's.

/** One interface as `ip -j addr` would describe it. */
export interface GuestInterface {
  ifindex: number;
  name: string;
  mac: string;
  inet: { address: string; prefix: number }[];
  inet6: { address: string; prefix: number }[];
}

function linkLocal(mac: string): string {
  const b = mac.split(":").map((x) => Number.parseInt(x, 16));
  const eui = [(b[0] ?? 0) ^ 2, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]].map((x) => x ?? 0);
  const words = [0, 1, 2, 3].map((i) => ((eui[2 * i]! << 8) | eui[2 * i + 1]!).toString(16));
  return `fe80::${words.join(":")}`.replace(/:0(?=:)/g, ":");
}

const hex = (seed: string, n: number) => createHash("sha256").update(seed).digest("hex").slice(0, n);
const macOf = (seed: string) => ["02", "42", ...(hex(seed, 8).match(/../g) ?? [])].join(":").slice(0, 17);

/** The NIC name of net0 (`name=eth0` for a CT; ens18 for a VM) and its MAC. */
export function net0Of(g: Guest): { name: string; mac: string } {
  const net0 = g.config.net0 ?? "";
  const mac = (
    /(?:hwaddr|virtio|e1000|vmxnet3|rtl8139)=([0-9A-Fa-f:]{17})/.exec(net0)?.[1] ?? "bc:24:11:00:00:00"
  ).toLowerCase();
  const name = g.kind === "lxc" ? (/(?:^|,)name=([^,]+)/.exec(net0)?.[1] ?? "eth0") : "ens18";
  return { name, mac };
}

/** Whether Docker has run in the guest (its state lives in the guest's disk). */
export function dockerIn(world: World, g: Guest): boolean {
  return existsSync(dockerStateDir(world, g));
}

/** The guest's interfaces now (empty while stopped). */
export function guestInterfaces(world: World, g: Guest): GuestInterface[] {
  if (g.status !== "running") return [];
  const nic = net0Of(g);
  const list: GuestInterface[] = [
    {
      ifindex: 1,
      name: "lo",
      mac: "00:00:00:00:00:00",
      inet: [{ address: "127.0.0.1", prefix: 8 }],
      inet6: [{ address: "::1", prefix: 128 }],
    },
    {
      ifindex: 2,
      name: nic.name,
      mac: nic.mac,
      inet: hasAddress(g) ? [{ address: g.address, prefix: 8 }] : [],
      inet6: [{ address: linkLocal(nic.mac), prefix: 64 }],
    },
  ];
  if (!dockerIn(world, g)) return list;
  const running = containersOf(world, g).filter((c) => c.pids.length > 0);
  list.push({
    ifindex: 3,
    name: "docker0",
    mac: macOf(`docker0 ${g.vmid}`),
    inet: [{ address: "172.17.0.1", prefix: 16 }],
    inet6: [],
  });
  const projects = [...new Set(running.map((c) => /^(.+)-[^-]+-\d+$/.exec(c.name)?.[1]).filter(Boolean))];
  for (const [i, p] of projects.entries())
    list.push({
      ifindex: 4 + i,
      name: `br-${hex(`${g.vmid} ${p}`, 12)}`,
      mac: macOf(`br ${g.vmid} ${p}`),
      inet: [{ address: `172.${18 + i}.0.1`, prefix: 16 }],
      inet6: [],
    });
  for (const c of running) {
    const mac = macOf(`veth ${g.vmid} ${c.name}`);
    list.push({
      ifindex: list.length + 1,
      name: `veth${hex(`${g.vmid} ${c.name}`, 7)}`,
      mac,
      inet: [],
      inet6: [{ address: linkLocal(mac), prefix: 64 }],
    });
  }
  return list;
}

/** `ip -j addr` of the interfaces (the fields iproute2 prints that a reader uses). */
export function ipJson(list: GuestInterface[]): unknown[] {
  return list.map((i) => ({
    ifindex: i.ifindex,
    ifname: i.name,
    flags: i.name === "lo" ? ["LOOPBACK", "UP", "LOWER_UP"] : ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
    mtu: i.name === "lo" ? 65536 : 1500,
    operstate: i.name === "lo" ? "UNKNOWN" : "UP",
    link_type: i.name === "lo" ? "loopback" : "ether",
    address: i.mac,
    addr_info: [
      ...i.inet.map((a) => ({
        family: "inet",
        local: a.address,
        prefixlen: a.prefix,
        scope: i.name === "lo" ? "host" : "global",
        label: i.name,
      })),
      ...i.inet6.map((a) => ({
        family: "inet6",
        local: a.address,
        prefixlen: a.prefix,
        scope: a.address.startsWith("fe80") ? "link" : a.address === "::1" ? "host" : "global",
      })),
    ],
  }));
}
