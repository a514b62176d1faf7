import { randomUUID } from "node:crypto";
import { checkConfigPerms } from "../auth/config-perms.ts";
import { markRunning, newGuest, normalizeNets } from "../guests/lifecycle.ts";
import { guestSummary } from "../guests/metrics.ts";
import { errorText, fail } from "../server/errors.ts";
import { bool, type Ctx, int, type Route, str } from "../server/router.ts";
import { findVolume, freeVolume, guestDisks } from "../storage/volumes.ts";
import { snippetInstallsGuestAgent } from "./cloud-image.ts";
import { createDrives, DRIVE_RE } from "./disks.ts";

const NOT_CONFIG = new Set([
  "node",
  "vmid",
  "archive",
  "force",
  "unique",
  "start",
  "pool",
  "storage",
  "bwlimit",
  "live-restore",
  "import-working-storage",
]);

function createVm({ world, params, who, fault }: Ctx): string {
  const vmid = int(params, "vmid")!;
  const archive = str(params, "archive");
  const force = bool(params, "force");
  const existing = world.guests.get(vmid);
  const emsg = archive ? `unable to restore VM ${vmid} -` : `unable to create VM ${vmid} -`;
  if (!(archive && force && existing?.kind === "qemu")) {
    try {
      world.checkVmidUnused(vmid);
    } catch (err) {
      throw fail(`${emsg} ${errorText(err)}`);
    }
  }
  if (existing && existing.status === "running") throw fail(`${emsg} VM ${vmid} is running`);
  world.auth.check(who, `/vms/${vmid}`, [archive && existing ? "VM.Backup" : "VM.Allocate"]);
  if (!archive) {
    // check_vm_modify_config_perm over the options, and check_vm_create_disk_perm over new disks.
    const plumbing = ["archive", "force", "unique", "storage", "pool", "start", "live-restore", "bwlimit"];
    checkConfigPerms(world.auth, who, "qemu", vmid, params, [
      ...plumbing,
      ...Object.keys(params).filter((k) => DRIVE_RE.test(k)),
    ]);
    for (const [k, v] of Object.entries(params)) {
      if (!DRIVE_RE.test(k)) continue;
      const sid = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(\d|cloudinit)/i.exec(String(v))?.[1];
      if (!sid) continue;
      world.auth.check(who, `/vms/${vmid}`, ["VM.Config.Disk"]);
      world.auth.check(who, `/storage/${sid}`, ["Datastore.AllocateSpace"]);
    }
  }
  let backupConf: Record<string, string> = {};
  if (archive) {
    const vol = findVolume(world, archive);
    if (vol?.volume.content !== "backup") throw fail(`${emsg} volume '${archive}' does not exist`);
    backupConf = { ...(vol.volume.backupConfig ?? {}) };
  }
  const config: Record<string, string> = archive ? backupConf : {};
  for (const [k, v] of Object.entries(params)) if (!NOT_CONFIG.has(k) && typeof v === "string") config[k] = v;
  if (config.cipassword) config.cipassword = `$5$pvesim$${Buffer.from(config.cipassword).toString("base64")}`;
  if (!archive) {
    config.smbios1 ??= `uuid=${randomUUID()}`;
    config.vmgenid ??= randomUUID();
    config.meta ??= `creation-qemu=9.2.0,ctime=${Math.floor(Date.now() / 1000)}`;
  }
  if (archive && bool(params, "unique"))
    for (const k of Object.keys(config))
      if (k.startsWith("net")) config[k] = config[k]!.replace(/=([0-9A-F]{2}:){5}[0-9A-F]{2}/i, "");
  normalizeNets("qemu", vmid, config);
  const storage = str(params, "storage") ?? "local-lvm";
  if (archive) {
    // A restore recreates every disk on the target storage with the backed-up size.
    for (const k of Object.keys(config)) {
      const m = /^(scsi\d+|virtio\d+|sata\d+|efidisk0)$/.exec(k);
      if (!m) continue;
      const size = /size=(\d+)G/.exec(config[k]!)?.[1] ?? "4";
      config[k] = `${storage}:${size},${config[k]!.split(",")
        .filter((p) => !p.includes(":") && !p.startsWith("size="))
        .join(",")}`.replace(/,$/, "");
    }
    for (const k of Object.keys(config)) {
      if (DRIVE_RE.test(k) && config[k]!.includes("-cloudinit")) config[k] = `${storage}:cloudinit`;
    }
  }
  config.lock = "create";
  const oldDisks = existing ? guestDisks(world, vmid).map((v) => v.volid) : [];
  const guest = existing ?? newGuest(world, vmid, "qemu", config);
  guest.config = config;
  world.guests.set(vmid, guest);
  const type = archive ? "qmrestore" : "qmcreate";
  return world.tasks.start(
    type,
    String(vmid),
    who.authid,
    fault ?? world.faults.takeForTask(type, vmid),
    async (w) => {
      const created: string[] = [];
      try {
        await world.locks.with(vmid, "qemu", world.lockTimeout(5000), async () => {
          await w.faultPoint();
          for (const v of oldDisks) freeVolume(world, v);
          const source = archive ? findVolume(world, archive) : undefined;
          if (archive)
            w.log(
              `restore vma archive: zstd -q -d -c ${archive} | vma extract -v -r /var/tmp/vzdumptmp.fifo - /var/tmp/vzdumptmp`,
            );
          const imported: { cloudImage?: boolean } = {};
          createDrives(world, w, vmid, config, created, imported);
          // A disk imported from a stock cloud image: no qemu-guest-agent unless cloud-init installs it.
          if (imported.cloudImage) guest.noGuestAgent = !snippetInstallsGuestAgent(world, config.cicustom);
          await w.sleep(world.clock.pick(1000, 5000, vmid));
          if (source?.volume.corrupt) {
            w.log("zstd: /*stdin*\\: unsupported format");
            throw fail(
              `command 'set -o pipefail && zstd -q -d -c ${archive} | vma extract -v -r /var/tmp/vzdumptmp.fifo - /var/tmp/vzdumptmp' failed: exit code 1`,
            );
          }
          if (source) world.hooks.onRestore?.(source.volume, guest);
          delete config.lock;
        });
      } catch (err) {
        for (const v of created) freeVolume(world, v);
        if (world.guests.get(vmid) === guest) world.guests.delete(vmid);
        throw new Error(`${emsg} ${errorText(err)}`);
      }
      if (bool(params, "start")) markRunning(world, guest);
    },
  ).upid;
}

/** GET/POST /nodes/{node}/qemu. */
export function qemuCreateRoutes(): Route[] {
  return [
    {
      method: "GET",
      path: "/nodes/{node}/qemu",
      handler: ({ world, who }) =>
        [...world.guests.values()]
          .filter((g) => g.kind === "qemu" && world.auth.can(who, `/vms/${g.vmid}`, "VM.Audit"))
          .sort((a, b) => a.vmid - b.vmid)
          .map((g) => guestSummary(world, g)),
    },
    { method: "POST", path: "/nodes/{node}/qemu", async: true, handler: createVm },
  ];
}
