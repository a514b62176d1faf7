import { PveError } from "../../proxmox/errors.ts";
import { pinHostKey } from "./connect.ts";
import { type DeployRun, vmidOf } from "./context.ts";
import { hostNeighbours } from "./host-pct.ts";
import type { PveApi } from "./pve-api.ts";
import { StepFailure } from "./steps.ts";

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** One interface of a guest with its addresses (CT `interfaces` or the guest agent's list). */
export interface GuestNic {
  name: string;
  mac?: string;
  v4: string[];
  v6: string[];
}

/** How net0 shows inside the guest: its name (a CT's `name=eth0`) and its MAC. */
export interface Net0 {
  name?: string;
  mac?: string;
}

// 127.0.0.x only: the simulator gives its guests 127.77.x.y, which are as good as any on net0.
const usableV4 = (ip: string) => !ip.startsWith("127.0.0.") && ip !== "0.0.0.0" && !ip.startsWith("169.254.");
/** A global IPv6: not loopback, not link-local (fe80::/10), not unspecified. */
const usableV6 = (ip: string) => ip !== "::1" && ip !== "::" && !/^fe[89ab]/i.test(ip);

/** net0's name and MAC from a guest's config (`name=eth0,…,hwaddr=BC:24:…` / `virtio=BC:24:…,…`). */
export function net0Of(type: "lxc" | "qemu", config: Record<string, unknown>): Net0 {
  const net0 = String(config.net0 ?? "");
  const mac = /(?:^|,)(?:hwaddr|virtio|e1000e?|rtl8139|vmxnet3)=([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})/.exec(
    net0,
  )?.[1];
  // A CT's NIC is named in its config (`name`, eth0 by convention); a VM's guest names it itself.
  const name = type === "lxc" ? (/(?:^|,)name=([^,]+)/.exec(net0)?.[1] ?? "eth0") : undefined;
  return { ...(name ? { name } : {}), ...(mac ? { mac: mac.toLowerCase() } : {}) };
}

/**
 * The address of net0's interface, found by MAC (or, for a CT, by name): its first usable
 * IPv4, else its first global IPv6; null while it has neither. Never another interface's: once
 * Docker runs, the guest also has docker0 (172.17.0.1), br-* and veth*, and after a restart
 * Docker is up before DHCP has answered.
 */
export function net0Address(list: readonly GuestNic[], net0: Net0): string | null {
  const nic =
    (net0.mac ? list.find((i) => i.mac?.toLowerCase() === net0.mac) : undefined) ??
    (net0.name ? list.find((i) => i.name === net0.name) : undefined);
  if (!nic) return null;
  return nic.v4.find(usableV4) ?? nic.v6.find(usableV6) ?? null;
}

/** host:port for a URL or an upstream (an IPv6 address in brackets). */
export function hostPort(address: string, port: number): string {
  return `${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/** The guest's interfaces now (CT: the `interfaces` API, PVE 8.1+; VM: the guest agent). */
async function guestNics(api: PveApi, type: "lxc" | "qemu", vmid: number): Promise<GuestNic[]> {
  const strip = (a: string) => a.split("/")[0] ?? "";
  if (type === "lxc") {
    return ((await api.lxcInterfaces(vmid)) ?? []).map((i) => {
      const all = i["ip-addresses"];
      return {
        name: i.name,
        ...(i.hwaddr ? { mac: i.hwaddr } : {}),
        v4: all
          ? all.filter((a) => a["ip-address-type"] === "inet").map((a) => a["ip-address"])
          : i.inet
            ? [strip(i.inet)]
            : [],
        v6: all
          ? all.filter((a) => a["ip-address-type"] === "inet6").map((a) => a["ip-address"])
          : i.inet6
            ? [strip(i.inet6)]
            : [],
      };
    });
  }
  const { result } = await api.agentInterfaces(vmid);
  return result.map((i) => ({
    name: i.name,
    ...(i["hardware-address"] ? { mac: i["hardware-address"] } : {}),
    v4: (i["ip-addresses"] ?? []).filter((a) => a["ip-address-type"] === "ipv4").map((a) => a["ip-address"]),
    v6: (i["ip-addresses"] ?? []).filter((a) => a["ip-address-type"] === "ipv6").map((a) => a["ip-address"]),
  }));
}

/** One entry of the host's neighbour table (`ip -j neigh show`). */
export interface Neighbour {
  dst: string;
  lladdr?: string;
  state?: string[];
}

/**
 * The address the host's neighbour (ARP/NDP) table has for a MAC: how a VM without the guest
 * agent is found, once it has talked on the bridge. IPv4 first; never a failed entry.
 */
export function neighbourAddress(table: readonly Neighbour[], mac: string): string | null {
  const live = table.filter(
    (n) =>
      n.lladdr?.toLowerCase() === mac.toLowerCase() &&
      !(n.state ?? []).some((s) => s === "FAILED" || s === "INCOMPLETE"),
  );
  return (
    live.map((n) => n.dst).find((ip) => !ip.includes(":") && usableV4(ip)) ??
    live.map((n) => n.dst).find((ip) => ip.includes(":") && usableV6(ip)) ??
    null
  );
}

/** A VM's static address from cloud-init's `ipconfig0: ip=10.0.0.5/24,gw=…` (null with DHCP). */
export function staticAddressOf(config: Record<string, unknown>): string | null {
  return /(?:^|,)ip=([0-9.]+|[0-9a-f:]+)\/\d+/i.exec(String(config.ipconfig0 ?? ""))?.[1] ?? null;
}

/**
 * The guest's net0 address now, or null (see net0Address): a VM's static cloud-init address
 * as configured, else what the guest reports. Reads the config unless net0 is given.
 */
export async function currentAddress(
  api: PveApi,
  type: "lxc" | "qemu",
  vmid: number,
  net0?: Net0,
  neighbours?: () => Promise<Neighbour[]>,
): Promise<string | null> {
  let nic = net0;
  if (!nic) {
    const config = await api.config(type, vmid);
    const fixed = type === "qemu" ? staticAddressOf(config) : null;
    if (fixed) return fixed;
    nic = net0Of(type, config);
  }
  try {
    return net0Address(await guestNics(api, type, vmid), nic);
  } catch (err) {
    // The guest agent comes up some time after boot, or never (a stock cloud image): then the
    // host's neighbour table may know the VM by its MAC.
    if (
      !(
        err instanceof PveError &&
        /guest agent is not running|not running|No QEMU guest agent/i.test(err.message)
      )
    )
      throw err;
    if (!neighbours || !nic.mac) return null;
    return neighbourAddress(await neighbours().catch(() => []), nic.mac);
  }
}

/**
 * Waits for the guest's DHCP address (and, for a VM, pins its SSH host key once cloud-init
 * has started sshd), failing with a clear message at the timeout.
 */
export async function waitForAddress(run: DeployRun): Promise<string> {
  const type = run.params.guest.type;
  const vmid = vmidOf(run);
  const deadline = Date.now() + run.deps.addressTimeoutMs;
  const config = await run.api.config(type, vmid);
  const net0 = net0Of(type, config);
  let address: string | null = type === "qemu" ? staticAddressOf(config) : null;
  // At most 250 ms between polls: how late the deploy notices DHCP's answer is its own overhead.
  for (let delay = 100; !address; delay = Math.min(250, delay * 2)) {
    address = await currentAddress(run.api, type, vmid, net0, () => hostNeighbours(run.deps));
    if (address) break;
    if (Date.now() > deadline) {
      const secs = Math.round(run.deps.addressTimeoutMs / 1000);
      throw new StepFailure(
        type === "lxc"
          ? `CT ${vmid} got no address on net0 within ${secs} s (asked its eth0 interface); check DHCP on bridge ${run.params.guest.bridge}`
          : `VM ${vmid} got no address on net0 within ${secs} s (asked the QEMU guest agent, which a stock cloud image does not have, and the host's neighbour table, which knows a VM only once it talked to the host): prepare the VM template with Pylon (it installs the agent), install qemu-guest-agent in your template, or give VMs static addresses (apps.vmAddresses); else check DHCP on bridge ${run.params.guest.bridge}`,
      );
    }
    await sleep(delay, run.ctx.signal);
  }
  run.state.address = address;
  if (type === "qemu") {
    const pin = await pinHostKey(run.deps, vmid, address, deadline, run.ctx.signal);
    run.state.hostKey = pin.key;
    run.state.sshPort = pin.port;
    return `${address} (SSH host key pinned)`;
  }
  return address;
}
