import { checkBridgeAccess } from "../auth/config-perms.ts";
import { newGuest, normalizeNets } from "../guests/lifecycle.ts";
import { errorText, fail } from "../server/errors.ts";
import { bool, int, type Route, str } from "../server/router.ts";
import { allocDisk, findVolume, freeVolume } from "../storage/volumes.ts";

const GiB = 2 ** 30;

/** POST /nodes/{node}/lxc/{vmid}/clone: `lock: disk` on the source is set before the task. */
export function lxcCloneRoutes(): Route[] {
  return [
    {
      method: "POST",
      path: "/nodes/{node}/lxc/{vmid}/clone",
      async: true,
      handler: async ({ world, params, who, fault }) => {
        const src = world.guest(int(params, "vmid")!, "lxc");
        const newid = int(params, "newid")!;
        const snapname = str(params, "snapname");
        const template = src.config.template === "1";
        const full = params.full !== undefined ? bool(params, "full") : !template;
        const target = str(params, "storage");
        if (!full && !template) throw fail("linked clone feature not available for non-template containers");
        if (!full && target) throw fail("parameter 'storage' not allowed for linked clones");
        if (snapname && !src.snapshots.has(snapname)) throw fail(`snapshot '${snapname}' does not exist`);
        world.checkVmidUnused(newid);
        // The new guest keeps the source's NICs: SDN.Use on their bridges (PVE 8.0+).
        for (const [k, v] of Object.entries(src.config))
          if (/^net\d+$/.test(k)) checkBridgeAccess(world.auth, who, v);
        // set_lock under the config flock: a second concurrent clone finds `lock: disk`.
        await world.locks.with(src.vmid, "lxc", world.lockTimeout(), () => {
          if (!snapname) {
            world.checkLock(src);
            src.config.lock = "disk";
          }
        });
        const conf: Record<string, string> = {
          ...(snapname ? src.snapshots.get(snapname)!.config : src.config),
        };
        for (const k of ["lock", "parent", "template", "snapstate"]) delete conf[k];
        for (const k of Object.keys(conf))
          if (k.startsWith("net")) conf[k] = conf[k]!.replace(/,?hwaddr=[^,]+/, "");
        const hostname = str(params, "hostname");
        if (hostname) conf.hostname = hostname;
        if (params.description !== undefined) conf.description = str(params, "description")!;
        normalizeNets("lxc", newid, conf);
        conf.lock = "create";
        const clone = newGuest(world, newid, "lxc", conf);
        world.guests.set(newid, clone);
        return world.tasks.start(
          "vzclone",
          String(src.vmid),
          who.authid,
          fault ?? world.faults.takeForTask("vzclone", src.vmid),
          async (w) => {
            const created: string[] = [];
            try {
              await w.faultPoint();
              const root = conf.rootfs ?? "";
              const volid = root.split(",")[0]!;
              const srcVol = findVolume(world, volid);
              const size = srcVol?.volume.size ?? 4 * GiB;
              if (full) {
                const vol = allocDisk(
                  world,
                  target ?? srcVol?.storage.id ?? "local-lvm",
                  newid,
                  size,
                  "rootdir",
                );
                created.push(vol.volid);
                w.log(`create full clone of mountpoint rootfs (${volid})`);
                await w.sleep(Math.max(1000, (size / GiB) * 1000));
                conf.rootfs = root.replace(volid, vol.volid);
              } else {
                const base = volid.split(":")[1]!;
                const name = `${base}/vm-${newid}-disk-0`;
                const vol = allocDisk(
                  world,
                  srcVol?.storage.id ?? "local-lvm",
                  newid,
                  Math.floor(size * 0.01),
                  "rootdir",
                  name,
                );
                created.push(vol.volid);
                w.log(`create linked clone of mount point rootfs (${volid})`);
                await w.sleep(world.clock.pick(1000, 3000, newid));
                conf.rootfs = root.replace(volid, `${volid.split(":")[0]}:${name}`);
              }
              delete conf.lock;
              world.hooks.onClone?.(src, clone);
            } catch (err) {
              for (const v of created) freeVolume(world, v);
              if (world.guests.get(newid) === clone) world.guests.delete(newid);
              throw new Error(`clone failed: ${errorText(err)}`);
            } finally {
              if (src.config.lock === "disk") delete src.config.lock;
            }
          },
        ).upid;
      },
    },
  ];
}
