import { checkConfigPerms } from "../auth/config-perms.ts";
import { olderThan } from "../auth/pve9.ts";
import { applyConfig, assertDigest, readConfig } from "../guests/config.ts";
import { guestInterfaces } from "../guests/interfaces.ts";
import { rootDiskSize } from "../guests/metrics.ts";
import { parseSize } from "../schema/formats.ts";
import { fail, PveError } from "../server/errors.ts";
import { int, type Route, str } from "../server/router.ts";
import { avail, parseVolid } from "../storage/storage.ts";
import { findVolume } from "../storage/volumes.ts";

const GiB = 2 ** 30;

function sizeText(bytes: number): string {
  return bytes % GiB === 0 ? `${bytes / GiB}G` : `${Math.round(bytes / 2 ** 20)}M`;
}

/** LXC config get/put, resize and interfaces. */
export function lxcConfigRoutes(): Route[] {
  return [
    {
      method: "GET",
      path: "/nodes/{node}/lxc/{vmid}/config",
      handler: ({ world, params }) =>
        readConfig(world.guest(int(params, "vmid")!, "lxc"), str(params, "snapshot")),
    },
    {
      method: "PUT",
      path: "/nodes/{node}/lxc/{vmid}/config",
      handler: async ({ world, params, who }) => {
        const g = world.guest(int(params, "vmid")!, "lxc");
        checkConfigPerms(world.auth, who, "lxc", g.vmid, params, [], g.config);
        await world.locks.with(g.vmid, "lxc", world.lockTimeout(), () => {
          world.checkLock(g);
          assertDigest(g, str(params, "digest"));
          if (params.rootfs !== undefined) throw fail("unable to modify read-only option: 'rootfs'");
          applyConfig(world, g, params);
        });
        return null;
      },
    },
    {
      method: "PUT",
      path: "/nodes/{node}/lxc/{vmid}/resize",
      async: true,
      handler: async ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, "lxc");
        const disk = str(params, "disk")!;
        const sizeStr = str(params, "size")!;
        return world.locks.with(g.vmid, "lxc", world.lockTimeout(), () => {
          world.checkLock(g);
          assertDigest(g, str(params, "digest"));
          const value = g.config[disk];
          if (!value) throw fail(`no disk '${disk}'`);
          const m = /^(\+)?(\d+(?:\.\d+)?[KMGT]?)$/.exec(sizeStr);
          if (!m) throw fail(`unable to parse size '${sizeStr}'`);
          const current =
            disk === "rootfs" ? rootDiskSize(g) : (parseSize(/size=([^,]+)/.exec(value)?.[1] ?? "0") ?? 0);
          const delta = parseSize(m[2]!) ?? 0;
          const target = m[1] ? current + delta : delta;
          if (target < current) throw fail("unable to shrink disk size");
          if (target === current) throw fail("disk is already at specified size");
          const volid = value.split(",")[0]!;
          return world.tasks.start(
            "resize",
            String(g.vmid),
            who.authid,
            fault ?? world.faults.takeForTask("resize", g.vmid),
            async (w) => {
              await w.faultPoint();
              const found = findVolume(world, volid);
              const storage = found?.storage ?? world.storage(parseVolid(volid)!.storage);
              if (target - current > avail(storage)) {
                throw fail(
                  `lvextend 'pve/${volid.split(":")[1]}' error:   Insufficient free space: ${Math.ceil((target - current) / 4194304)} extents needed`,
                );
              }
              w.log(
                `  Size of logical volume pve/${volid.split(":")[1]} changed from ${sizeText(current)} to ${sizeText(target)}.`,
              );
              w.log(`  Logical volume pve/${volid.split(":")[1]} successfully resized.`);
              if (g.status === "running") w.log("resize2fs 1.47.0 (5-Feb-2023)");
              await w.sleep(1000);
              if (found) found.volume.size = target;
              g.config[disk] = value.replace(/size=[^,]+/, `size=${sizeText(target)}`);
            },
          ).upid;
        });
      },
    },
    {
      method: "GET",
      path: "/nodes/{node}/lxc/{vmid}/interfaces",
      handler: ({ world, params }) => {
        // PVE 8.0 has no such call (it came with pve-container 5.0.5, PVE 8.1).
        if (olderThan(world.pveVersion, "8.1"))
          throw new PveError(501, "Method 'GET /nodes/{node}/lxc/{vmid}/interfaces' not implemented");
        const g = world.guest(int(params, "vmid")!, "lxc");
        if (g.status !== "running") return null;
        // PVE runs `ip -j addr` in the CT and reports each interface's last IPv4 and IPv6.
        return guestInterfaces(world, g).map((i) => {
          const v4 = i.inet.at(-1);
          const v6 = i.inet6.at(-1);
          return {
            name: i.name,
            hwaddr: i.mac,
            "hardware-address": i.mac,
            ...(v4 ? { inet: `${v4.address}/${v4.prefix}` } : {}),
            ...(v6 ? { inet6: `${v6.address}/${v6.prefix}` } : {}),
            "ip-addresses": [
              ...i.inet.map((a) => ({
                "ip-address": a.address,
                "ip-address-type": "inet",
                prefix: a.prefix,
              })),
              ...i.inet6.map((a) => ({
                "ip-address": a.address,
                "ip-address-type": "inet6",
                prefix: a.prefix,
              })),
            ],
          };
        });
      },
    },
  ];
}
