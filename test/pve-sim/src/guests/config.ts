import { splitList } from "../schema/formats.ts";
import { fail } from "../server/errors.ts";
import { str } from "../server/router.ts";
import type { World } from "../world.ts";
import { configDigest, type Guest } from "./guest.ts";
import { normalizeNets } from "./lifecycle.ts";

// Parameters of the config endpoints that are not config keys.
const CONTROL = new Set([
  "node",
  "vmid",
  "digest",
  "delete",
  "revert",
  "skiplock",
  "force",
  "background_delay",
]);

/** GET …/config: the current config (or a snapshot's) with its digest. */
export function readConfig(g: Guest, snapshot?: string): Record<string, unknown> {
  const source = snapshot ? g.snapshots.get(snapshot)?.config : g.config;
  if (!source) throw fail(`snapshot '${snapshot}' does not exist`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) {
    // qemu-server hides the cloud-init password.
    if (g.kind === "qemu" && k === "cipassword") out[k] = "**********";
    else
      out[k] =
        /^(cores|memory|swap|onboot|unprivileged|template|protection|sockets|balloon|cpulimit)$/.test(k) &&
        /^\d+$/.test(v)
          ? Number(v)
          : v;
  }
  out.digest = configDigest(g);
  return out;
}

/** assert_if_modified: a given digest must match the config's. */
export function assertDigest(g: Guest, digest: string | undefined): void {
  if (digest && digest !== configDigest(g))
    throw fail("detected modified configuration - file changed by other user? Try again.");
}

/** Applies a config update (set keys, then `delete`), like update_pct_config / update_vm_api. */
export function applyConfig(_world: World, g: Guest, params: Record<string, unknown>): void {
  const del = str(params, "delete");
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (CONTROL.has(k) || v === undefined) continue;
    set[k] = String(v);
  }
  if (del) {
    for (const k of splitList(del)) {
      if (set[k] !== undefined) throw fail(`cannot set and delete '${k}' at the same time`);
      if (
        k === "rootfs" ||
        (g.kind === "qemu" && /^(scsi|virtio|sata|ide)\d+$/.test(k) && g.status === "running")
      ) {
        throw fail(`unable to delete required option '${k}'`);
      }
    }
  }
  if (g.kind === "qemu" && set.cipassword !== undefined)
    set.cipassword = `$5$pvesim$${Buffer.from(set.cipassword).toString("base64")}`;
  normalizeNets(g.kind, g.vmid, set);
  Object.assign(g.config, set);
  if (del) for (const k of splitList(del)) delete g.config[k];
}
