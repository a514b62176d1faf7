import { PveError } from "../../proxmox/errors.ts";
import { pinHostKey } from "./connect.ts";
import { type DeployRun, vmidOf } from "./context.ts";
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

const usable = (ip: string) => !ip.startsWith("127.0.0.") && ip !== "0.0.0.0" && !ip.startsWith("169.254.");

/** The guest's first non-loopback IPv4 address now, or null (CT interfaces; VM guest agent). */
export async function currentAddress(
  api: PveApi,
  type: "lxc" | "qemu",
  vmid: number,
): Promise<string | null> {
  if (type === "lxc") {
    const list = (await api.lxcInterfaces(vmid)) ?? [];
    for (const i of list) {
      if (i.name === "lo" || !i.inet) continue;
      const ip = i.inet.split("/")[0] ?? "";
      if (usable(ip)) return ip;
    }
    return null;
  }
  try {
    const { result } = await api.agentInterfaces(vmid);
    for (const i of result) {
      if (i.name === "lo") continue;
      for (const a of i["ip-addresses"] ?? []) {
        if (a["ip-address-type"] === "ipv4" && usable(a["ip-address"])) return a["ip-address"];
      }
    }
    return null;
  } catch (err) {
    // The guest agent comes up some time after boot.
    if (err instanceof PveError && /guest agent is not running|not running/i.test(err.message)) return null;
    throw err;
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
  let address: string | null = null;
  // At most 500 ms between polls: how late the deploy notices DHCP's answer is its own overhead.
  for (let delay = 100; ; delay = Math.min(500, delay * 2)) {
    address = await currentAddress(run.api, type, vmid);
    if (address) break;
    if (Date.now() > deadline) {
      const how = type === "lxc" ? "its eth0 interface" : "the QEMU guest agent";
      throw new StepFailure(
        `${type === "lxc" ? "CT" : "VM"} ${vmid} got no IPv4 address within ${Math.round(run.deps.addressTimeoutMs / 1000)} s (asked ${how}); check DHCP on bridge ${run.params.guest.bridge}`,
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
