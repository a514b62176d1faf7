import { checkBridgeAccess } from "../auth/config-perms.ts";
import { newGuest, normalizeNets } from "../guests/lifecycle.ts";
import { errorText, fail } from "../server/errors.ts";
import { bool, int, type Route, str } from "../server/router.ts";
import { allocDisk, findVolume, freeVolume } from "../storage/volumes.ts";
import { DRIVE_RE } from "./disks.ts";

const GiB = 2 ** 30;

/** POST /nodes/{node}/qemu/{vmid}/clone: a stopped source is only share-locked. */
export function qemuCloneRoutes(): Route[] {
  return [
    {
      method: "POST",
      path: "/nodes/{node}/qemu/{vmid}/clone",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const src = world.guest(int(params, "vmid")!, "qemu");
        const newid = int(params, "newid")!;
        const snapname = str(params, "snapname");
        const template = src.config.template === "1";
        const full = params.full !== undefined ? bool(params, "full") : !template;
        const target = str(params, "storage");
        world.checkLock(src);
        // The new guest keeps the source's NICs: SDN.Use on their bridges (PVE 8.0+).
        for (const [k, v] of Object.entries(src.config))
          if (/^net\d+$/.test(k)) checkBridgeAccess(world.auth, who, v);
        if (snapname && !src.snapshots.has(snapname)) throw fail(`snapshot '${snapname}' does not exist`);
        if (!full && target) throw fail("parameter 'storage' not allowed for linked clones");
        if (!full && !template) {
          const drive = Object.keys(src.config).find(
            (k) => DRIVE_RE.test(k) && !src.config[k]!.includes("media=cdrom"),
          );
          throw fail(`Linked clone feature is not supported for drive '${drive ?? "scsi0"}'`);
        }
        if (world.guests.has(newid)) throw fail(`unable to create VM ${newid}: config file already exists`);
        const conf: Record<string, string> = {
          ...(snapname ? src.snapshots.get(snapname)!.config : src.config),
        };
        for (const k of ["lock", "parent", "template", "vmstate"]) delete conf[k];
        for (const k of Object.keys(conf))
          if (k.startsWith("net")) conf[k] = conf[k]!.replace(/=([0-9A-F]{2}:){5}[0-9A-F]{2}/i, "");
        conf.name = str(params, "name") ?? `Copy-of-VM-${src.config.name ?? src.vmid}`;
        if (params.description !== undefined) conf.description = str(params, "description")!;
        normalizeNets("qemu", newid, conf);
        conf.lock = "clone";
        const clone = newGuest(world, newid, "qemu", conf);
        if (src.noGuestAgent) clone.noGuestAgent = true;
        world.guests.set(newid, clone);
        const running = src.status === "running";
        return world.tasks.start(
          "qmclone",
          String(src.vmid),
          who.authid,
          fault ?? world.faults.takeForTask("qmclone", src.vmid),
          async (w) => {
            const created: string[] = [];
            try {
              // Stopped source: shared flock, so parallel clones of one template go through.
              await world.locks.with(
                src.vmid,
                "qemu",
                world.lockTimeout(),
                async () => {
                  await w.faultPoint();
                  for (const key of Object.keys(conf).sort()) {
                    if (!DRIVE_RE.test(key)) continue;
                    const value = conf[key]!;
                    const volid = value.split(",")[0]!;
                    const found = findVolume(world, volid);
                    if (!found) continue;
                    if (value.includes("cloudinit")) {
                      const vol = allocDisk(
                        world,
                        target ?? found.storage.id,
                        newid,
                        found.volume.size,
                        "images",
                        `vm-${newid}-cloudinit`,
                      );
                      created.push(vol.volid);
                      conf[key] = value.replace(volid, vol.volid);
                      continue;
                    }
                    if (full) {
                      w.log(`create full clone of drive ${key} (${volid})`);
                      const vol = allocDisk(
                        world,
                        target ?? found.storage.id,
                        newid,
                        found.volume.size,
                        "images",
                      );
                      created.push(vol.volid);
                      await w.sleep(Math.max(1000, (found.volume.size / GiB) * 1000));
                      w.log(
                        `transferred ${found.volume.size / GiB} GiB of ${found.volume.size / GiB} GiB (100.00%)`,
                      );
                      conf[key] = value.replace(volid, vol.volid);
                    } else {
                      w.log(`create linked clone of drive ${key} (${volid})`);
                      const base = volid.split(":")[1]!;
                      const vol = allocDisk(
                        world,
                        found.storage.id,
                        newid,
                        Math.floor(found.volume.size * 0.01),
                        "images",
                        `${base}/vm-${newid}-disk-0`,
                      );
                      created.push(vol.volid);
                      await w.sleep(world.clock.pick(1000, 3000, newid));
                      conf[key] = value.replace(volid, vol.volid);
                    }
                  }
                },
                !running,
              );
              delete conf.lock;
              world.hooks.onClone?.(src, clone);
            } catch (err) {
              for (const v of created) freeVolume(world, v);
              if (world.guests.get(newid) === clone) world.guests.delete(newid);
              throw new Error(`clone failed: ${errorText(err)}`);
            }
          },
        ).upid;
      },
    },
  ];
}
