import { checkConfigPerms } from "../auth/config-perms.ts";
import { label } from "../guests/guest.ts";
import { newGuest, normalizeNets } from "../guests/lifecycle.ts";
import { guestSummary } from "../guests/metrics.ts";
import { validateKeys } from "../guests/sshkeys.ts";
import { parseSize } from "../schema/formats.ts";
import { errorText, fail, PveError } from "../server/errors.ts";
import { bool, type Ctx, int, type Route, str } from "../server/router.ts";
import { parseVolid, volumePath } from "../storage/storage.ts";
import { allocDisk, findVolume, freeVolume, guestDisks } from "../storage/volumes.ts";
import { startCt } from "./power.ts";

/** Create parameters that are not guest options (extracted before check_ct_modify_config_perm). */
const CREATE_ONLY = [
  "ostemplate",
  "storage",
  "pool",
  "restore",
  "force",
  "unique",
  "start",
  "password",
  "ssh-public-keys",
  "ignore-unpack-errors",
  "bwlimit",
];

const GiB = 2 ** 30;
// Parameters that are not config keys.
const NOT_CONFIG = new Set([
  "node",
  "vmid",
  "ostemplate",
  "password",
  "ssh-public-keys",
  "storage",
  "restore",
  "force",
  "unique",
  "start",
  "pool",
  "ignore-unpack-errors",
  "bwlimit",
]);

function ostypeOf(template: string): string {
  const name = template.split("/").at(-1) ?? "";
  for (const os of [
    "debian",
    "ubuntu",
    "alpine",
    "centos",
    "fedora",
    "archlinux",
    "rockylinux",
    "almalinux",
    "opensuse",
  ]) {
    if (name.startsWith(os)) return os;
  }
  return "unmanaged";
}

/** Parses `local-lvm:8` / `volume=local-lvm:8,size=..` into storage and size in bytes. */
function rootfsSpec(value: string): { storage: string; size: number; rest: string[] } {
  const parts = value.split(",");
  const first = parts[0]!.replace(/^volume=/, "");
  const m = /^([^:]+):(\d+(?:\.\d+)?)$/.exec(first);
  const sizeOpt = parts.find((p) => p.startsWith("size="));
  const size = m ? Number(m[2]) * GiB : sizeOpt ? (parseSize(sizeOpt.slice(5)) ?? 4 * GiB) : 4 * GiB;
  return {
    storage: m ? m[1]! : (parseVolid(first)?.storage ?? first),
    size,
    rest: parts.slice(1).filter((p) => !p.startsWith("size=")),
  };
}

function sizeText(bytes: number): string {
  return bytes % GiB === 0 ? `${bytes / GiB}G` : `${Math.round(bytes / 2 ** 20)}M`;
}

function createCt(ctx: Ctx): string {
  const { world, params, who, fault } = ctx;
  const vmid = int(params, "vmid")!;
  const restore = bool(params, "restore");
  const force = bool(params, "force");
  const emsg = restore ? `unable to restore CT ${vmid} -` : `unable to create CT ${vmid} -`;
  const existing = world.guests.get(vmid);
  const sameCt = existing?.kind === "lxc";
  if (!(sameCt && restore && force)) world.checkVmidUnused(vmid);
  if (existing && existing.status === "running") throw fail("can't overwrite running container");
  const ostemplate = str(params, "ostemplate")!;
  const source = findVolume(world, ostemplate);
  if (!source) throw fail(`volume '${ostemplate}' does not exist`);
  if (restore && source.volume.content !== "backup")
    throw fail(`${emsg} unable to detect archive type of '${ostemplate}'`);
  if (!restore && source.volume.content !== "vztmpl") throw fail(`volume '${ostemplate}' is not a template`);
  const backupConf = restore ? (source.volume.backupConfig ?? {}) : {};
  const storeid = str(params, "storage") ?? "local";
  const rootfsParam =
    str(params, "rootfs") ??
    (restore && backupConf.rootfs
      ? `${storeid}:${Math.ceil(sizeOf(backupConf.rootfs) / GiB)}`
      : `${storeid}:4`);
  const spec = rootfsSpec(rootfsParam);
  const store = world.storage(spec.storage);
  if (!store.content.includes("rootdir")) {
    throw new PveError(400, "Parameter verification failed.\n", {
      storage: `storage '${spec.storage}' does not support container directories`,
    });
  }
  world.auth.check(who, `/vms/${vmid}`, [restore && sameCt ? "VM.Backup" : "VM.Allocate"]);
  world.auth.check(who, `/storage/${spec.storage}`, ["Datastore.AllocateSpace"]);
  if (!restore) checkConfigPerms(world.auth, who, "lxc", vmid, params, CREATE_ONLY);
  const keys = str(params, "ssh-public-keys");
  if (keys) {
    try {
      validateKeys(keys);
    } catch (err) {
      throw fail(errorText(err));
    }
  }
  if (existing) {
    if (existing.config.lock)
      throw fail(`${emsg} ${label(existing.kind)} is locked (${existing.config.lock})`);
  }
  const config: Record<string, string> = restore
    ? { ...backupConf }
    : { arch: "amd64", ostype: ostypeOf(ostemplate), memory: "512", swap: "512" };
  delete config.lock;
  for (const [k, v] of Object.entries(params)) if (!NOT_CONFIG.has(k) && typeof v === "string") config[k] = v;
  if (restore && bool(params, "unique"))
    for (const k of Object.keys(config))
      if (k.startsWith("net")) config[k] = config[k]!.replace(/,?hwaddr=[^,]+/, "");
  normalizeNets("lxc", vmid, config);
  delete config.rootfs;
  config.lock = "create";
  // The config with `lock: create` exists as soon as the UPID is returned (create_and_lock_config).
  const oldDisks = existing ? guestDisks(world, vmid).map((v) => v.volid) : [];
  const guest = existing ?? newGuest(world, vmid, "lxc", config);
  guest.config = config;
  world.guests.set(vmid, guest);
  const type = restore ? "vzrestore" : "vzcreate";
  return world.tasks.start(type, String(vmid), who.authid, fault, async (w) => {
    let created: string | undefined;
    try {
      const release = await world.locks.acquire(vmid, "lxc", world.lockTimeout(5000));
      try {
        await w.faultPoint();
        for (const v of oldDisks) freeVolume(world, v);
        const vol = allocDisk(world, spec.storage, vmid, spec.size, "rootdir");
        created = vol.volid;
        w.log(`  Logical volume "${vol.volid.split(":")[1]}" created.`);
        w.log(`Creating filesystem with ${spec.size / 4096} 4k blocks and ${spec.size / 16384} inodes`);
        const archive = volumePath(source.storage, parseVolid(ostemplate)!.name);
        if (restore) w.log(`restoring '${ostemplate}' now..`);
        w.log(`extracting archive '${archive}'`);
        await w.sleep(world.clock.pick(8000, 30_000, vmid));
        if (restore && source.volume.corrupt) throw corruptArchive(source.storage.type, vmid);
        w.log(
          `Total bytes read: ${Math.floor(source.volume.size * 3.2)} (${Math.round((source.volume.size * 3.2) / 2 ** 20)}MiB, 180MiB/s)`,
        );
        w.log(`Detected container architecture: ${config.arch ?? "amd64"}`);
        if (!restore) {
          w.log("Creating SSH host key 'ssh_host_ed25519_key' - this may take some time ...");
          w.log(
            `done: SHA256:${Buffer.from(`pve-sim-${vmid}`).toString("base64")} root@${config.hostname ?? `CT${vmid}`}`,
          );
        }
        config.rootfs = [`${vol.volid}`, ...spec.rest, `size=${sizeText(spec.size)}`].join(",");
        if (restore) {
          w.log("merging backed-up and given configuration..");
          world.hooks.onRestore?.(source.volume, guest);
        }
        delete config.lock;
      } finally {
        release();
      }
    } catch (err) {
      if (created) freeVolume(world, created);
      if (world.guests.get(vmid) === guest) world.guests.delete(vmid);
      throw new Error(`${emsg} ${errorText(err)}`);
    }
    if (bool(params, "start")) startCt(world, guest, who.authid, undefined);
  }).upid;
}

/** How extracting a damaged archive fails (tar through zstd, or the PBS client). */
function corruptArchive(storageType: string, vmid: number): Error {
  if (storageType === "pbs")
    return fail("restore failed: unable to read data blob - wrong magic number (corrupted chunk?)");
  return fail(
    `command 'lxc-usernsexec -m u:0:100000:65536 -m g:0:100000:65536 -- tar xpf - --zstd --totals --one-file-system -p --sparse --numeric-owner --acls --xattrs -C /var/lib/lxc/${vmid}/rootfs --skip-old-files --anchored --exclude './dev/*'' failed: exit code 2`,
  );
}

function sizeOf(rootfs: string): number {
  const s = /size=([^,]+)/.exec(rootfs)?.[1];
  return s ? (parseSize(s) ?? 4 * GiB) : 4 * GiB;
}

/** GET/POST /nodes/{node}/lxc. */
export function lxcCreateRoutes(): Route[] {
  return [
    {
      method: "GET",
      path: "/nodes/{node}/lxc",
      handler: ({ world, who }) =>
        [...world.guests.values()]
          .filter((g) => g.kind === "lxc" && world.auth.can(who, `/vms/${g.vmid}`, "VM.Audit"))
          .sort((a, b) => a.vmid - b.vmid)
          .map((g) => ({ ...guestSummary(world, g), type: "lxc" })),
    },
    { method: "POST", path: "/nodes/{node}/lxc", async: true, handler: createCt },
  ];
}
