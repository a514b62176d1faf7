import { PveError } from "../server/errors.ts";
import type { AuthStore, Identity } from "./auth.ts";

// The per-option privilege checks PVE makes inside the config, create and clone handlers, on top
// of the schema's coarse `any` check: qemu-server's check_vm_modify_config_perm (API2/Qemu.pm),
// pve-container's check_ct_modify_config_perm (LXC.pm), and, since PVE 8.0, SDN.Use on the
// bridge of every NIC (check_bridge_access → check_vnet_access: /sdn/zones/localnetwork/<bridge>,
// plus /<tag> with a VLAN tag). CT feature flags other than nesting are root@pam's only, as in
// PVE: a token (the simulator's root token too) cannot set keyctl; `pct set` on the host can.
// Other root@pam-only options (args, hookscript, …) are not modelled.

const QEMU: Record<string, string> = {};
const add = (priv: string, keys: string[]) => {
  for (const k of keys) QEMU[k] = priv;
};
add("VM.Config.CPU", ["cores", "cpu", "cpulimit", "cpuunits", "numa", "smp", "sockets", "vcpus", "affinity"]);
add("VM.Config.Memory", ["memory", "balloon", "shares"]);
add("VM.Config.HWType", [
  "acpi",
  "hotplug",
  "kvm",
  "machine",
  "scsihw",
  "smbios1",
  "tablet",
  "vga",
  "watchdog",
]);
add("VM.Config.Options", [
  "agent",
  "autostart",
  "bios",
  "description",
  "keyboard",
  "localtime",
  "migrate_downtime",
  "migrate_speed",
  "name",
  "onboot",
  "ostype",
  "protection",
  "reboot",
  "startdate",
  "startup",
  "tdf",
  "template",
]);
add("VM.PowerMgmt", ["freeze"]);
add("VM.Config.Disk", ["boot", "bootdisk", "vmstatestorage"]);
const QEMU_CLOUDINIT = new Set([
  "cicustom",
  "cipassword",
  "citype",
  "ciuser",
  "ciupgrade",
  "nameserver",
  "searchdomain",
  "sshkeys",
]);

/** Keys that are request plumbing, not config options. */
const NOT_OPTIONS = new Set(["node", "vmid", "digest", "delete", "revert", "skiplock", "background_delay"]);

function lxcPriv(key: string): string | undefined {
  if (["cores", "cpuunits", "cpulimit"].includes(key)) return "VM.Config.CPU";
  if (key === "rootfs" || /^mp\d+$/.test(key)) return "VM.Config.Disk";
  if (key === "memory" || key === "swap") return "VM.Config.Memory";
  if (/^net\d+$/.test(key) || ["nameserver", "searchdomain", "hostname"].includes(key))
    return "VM.Config.Network";
  if (key === "features" || key === "hookscript" || key === "tags" || /^dev\d+$/.test(key)) return undefined;
  return "VM.Config.Options";
}

function parseFeatures(text: string): Map<string, string> {
  return new Map(
    text
      .split(",")
      .filter(Boolean)
      .map((p) => {
        const i = p.indexOf("=");
        return (i < 0 ? [p, "1"] : [p.slice(0, i), p.slice(i + 1)]) as [string, string];
      }),
  );
}

/**
 * CT feature flags (check_ct_modify_config_perm): only root@pam may change any flag but
 * `nesting` (so a token cannot set keyctl, fuse or mount), and not at all on a privileged CT;
 * changing nesting needs VM.Allocate.
 */
function checkFeatures(
  auth: AuthStore,
  who: Identity,
  path: string,
  value: string,
  old: Record<string, string> | undefined,
): void {
  if (old && old.unprivileged !== "1")
    throw new PveError(
      403,
      "Permission check failed (changing feature flags for privileged container is only allowed for root@pam)\n",
    );
  const before = parseFeatures(old?.features ?? "");
  const after = parseFeatures(value);
  let nesting = false;
  let other = false;
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    if (!old && !after.has(k)) continue;
    if (before.get(k) === after.get(k)) continue;
    if (k === "nesting") nesting = true;
    else other = true;
  }
  if (other)
    throw new PveError(
      403,
      "Permission check failed (changing feature flags (except nesting) is only allowed for root@pam)\n",
    );
  if (nesting) auth.check(who, path, ["VM.Allocate"]);
}

/** SDN.Use on the bridge (and VLAN) of a NIC property string, as check_vnet_access asks. */
export function checkBridgeAccess(auth: AuthStore, who: Identity, nic: string): void {
  if (who.authid === "root@pam") return;
  const parts = Object.fromEntries(
    nic.split(",").map((p) => {
      const i = p.indexOf("=");
      return i < 0 ? [p, ""] : [p.slice(0, i), p.slice(i + 1)];
    }),
  );
  const bridge = parts.bridge;
  if (!bridge) return;
  const tag = parts.tag ? `/${parts.tag}` : "";
  auth.check(who, `/sdn/zones/localnetwork/${bridge}${tag}`, ["SDN.Use"]);
}

/**
 * The per-option checks for setting (or deleting) options of a guest, as PVE makes them in
 * create and config update; `params` may hold request plumbing (node, vmid, digest, delete).
 */
export function checkConfigPerms(
  auth: AuthStore,
  who: Identity,
  kind: "lxc" | "qemu",
  vmid: number,
  params: Record<string, unknown>,
  skip: string[] = [],
  old?: Record<string, string>,
): void {
  if (who.authid === "root@pam") return;
  const path = `/vms/${vmid}`;
  const deleted = String(params.delete ?? "")
    .split(/[,;\s\0]+/)
    .filter(Boolean);
  const keys = [...Object.keys(params).filter((k) => !NOT_OPTIONS.has(k) && !skip.includes(k)), ...deleted];
  for (const key of keys) {
    if (kind === "lxc") {
      const priv = lxcPriv(key);
      if (priv) auth.check(who, path, [priv]);
      if (key === "features") checkFeatures(auth, who, path, String(params.features ?? ""), old);
    } else if (QEMU[key]) {
      auth.check(who, path, [QEMU[key]]);
      if (key === "startup") auth.check(who, "/", ["Sys.Modify"]);
    } else if (/^net\d+$/.test(key)) {
      auth.check(who, path, ["VM.Config.Network"]);
    } else if (/^serial\d+$/.test(key)) {
      // A socket is a hardware-type option; a host serial device is root@pam's only.
      if (String(params[key] ?? "") !== "socket")
        throw new PveError(
          403,
          "Permission check failed (only root can set serial devices other than 'socket')\n",
        );
      auth.check(who, path, ["VM.Config.HWType"]);
    } else if (QEMU_CLOUDINIT.has(key) || /^ipconfig\d+$/.test(key)) {
      auth.check(who, path, ["VM.Config.Cloudinit", "VM.Config.Network"], true);
    }
    const value = params[key];
    if (/^net\d+$/.test(key) && typeof value === "string") checkBridgeAccess(auth, who, value);
  }
}
