import { fail } from "../server/errors.ts";
import type { Route } from "../server/router.ts";
import { int } from "../server/router.ts";
import { findVolume } from "../storage/volumes.ts";
import { DRIVE_RE } from "./disks.ts";

/** POST /nodes/{node}/qemu/{vmid}/template: a stopped VM becomes a template (its disks base-*). */
export function qemuTemplateRoutes(): Route[] {
  return [
    {
      method: "POST",
      path: "/nodes/{node}/qemu/{vmid}/template",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const vmid = int(params, "vmid")!;
        const g = world.guest(vmid, "qemu");
        if (g.status === "running") throw fail(`you can't convert a VM to template if VM is running`);
        world.checkLock(g);
        return world.tasks.start("qmtemplate", String(vmid), who.authid, fault, async (w) => {
          await world.locks.with(vmid, "qemu", world.lockTimeout(), async () => {
            await w.faultPoint();
            for (const key of Object.keys(g.config)) {
              if (!DRIVE_RE.test(key)) continue;
              const value = g.config[key]!;
              const volid = value.split(",")[0]!;
              if (value.includes("cloudinit") || !volid.includes(`vm-${vmid}-disk-`)) continue;
              const found = findVolume(world, volid);
              if (!found) continue;
              const based = volid.replace(`vm-${vmid}-disk-`, `base-${vmid}-disk-`);
              found.storage.volumes.delete(volid);
              found.storage.volumes.set(based, { ...found.volume, volid: based });
              g.config[key] = value.replace(volid, based);
              w.log(`  Renamed "${volid.split(":")[1]}" to "${based.split(":")[1]}"`);
            }
            g.config.template = "1";
          });
        }).upid;
      },
    },
  ];
}
