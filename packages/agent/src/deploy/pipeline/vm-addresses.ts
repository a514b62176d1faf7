import { type StaticRange, toIp } from "../../util/ip-range.ts";
import type { PveApi } from "./pve-api.ts";
import { StepFailure } from "./steps.ts";

// Addresses handed out by this agent whose VM config may not show them yet (concurrent deploys).
const pending = new Set<string>();

/**
 * The first address of the range no VM on the node uses (by its ipconfig0) and no concurrent
 * deploy holds; `use` runs with it reserved (it writes the VM's config).
 */
export async function withStaticAddress<T>(
  api: PveApi,
  vms: number[],
  range: StaticRange,
  use: (ipconfig0: string, address: string) => Promise<T>,
): Promise<T> {
  const used = new Set(pending);
  for (const vmid of vms) {
    const ip = /(?:^|,)ip=([\d.]+)\//.exec(
      String((await api.config("qemu", vmid).catch((): Record<string, unknown> => ({}))).ipconfig0 ?? ""),
    );
    if (ip?.[1]) used.add(ip[1]);
  }
  for (let n = range.first; n <= range.last; n++) {
    const address = toIp(n);
    if (used.has(address)) continue;
    pending.add(address);
    try {
      return await use(`ip=${address}/${range.prefix},gw=${range.gateway}`, address);
    } finally {
      pending.delete(address);
    }
  }
  throw new StepFailure(
    `every address of the VM range ${toIp(range.first)}-${toIp(range.last)} is in use (apps.vmAddresses)`,
  );
}
