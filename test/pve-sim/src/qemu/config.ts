import { checkConfigPerms } from "../auth/config-perms.ts";
import { applyConfig, assertDigest, readConfig } from "../guests/config.ts";
import type { Guest } from "../guests/guest.ts";
import { parseSize } from "../schema/formats.ts";
import { fail } from "../server/errors.ts";
import { int, type Route, str } from "../server/router.ts";
import { avail } from "../storage/storage.ts";
import { findVolume } from "../storage/volumes.ts";
import type { World } from "../world.ts";

const GiB = 2 ** 30;

function update(world: World, g: Guest, params: Record<string, unknown>): void {
  if (params.skiplock === undefined) world.checkLock(g);
  assertDigest(g, str(params, "digest"));
  applyConfig(world, g, params);
}

/** The cloud-init user-data PVE would generate (GET …/cloudinit/dump?type=user). */
export function userData(g: Guest): string {
  const lines = [
    "#cloud-config",
    `hostname: ${g.config.name ?? `VM${g.vmid}`}`,
    "manage_etc_hosts: true",
    `fqdn: ${g.config.name ?? `VM${g.vmid}`}`,
  ];
  if (g.config.ciuser) lines.push(`user: ${g.config.ciuser}`);
  if (g.config.cipassword) lines.push(`password: ${g.config.cipassword}`);
  if (g.config.sshkeys) {
    lines.push("ssh_authorized_keys:");
    for (const k of decodeURIComponent(g.config.sshkeys).split("\n").filter(Boolean)) lines.push(`  - ${k}`);
  }
  lines.push("chpasswd:", "  expire: False", "users:", "  - default", "package_upgrade: true");
  return `${lines.join("\n")}\n`;
}

/** QEMU config (sync PUT, async POST), cloud-init and resize. */
export function qemuConfigRoutes(): Route[] {
  return [
    {
      method: "GET",
      path: "/nodes/{node}/qemu/{vmid}/config",
      handler: ({ world, params }) =>
        readConfig(world.guest(int(params, "vmid")!, "qemu"), str(params, "snapshot")),
    },
    {
      method: "PUT",
      path: "/nodes/{node}/qemu/{vmid}/config",
      handler: async ({ world, params, who }) => {
        const g = world.guest(int(params, "vmid")!, "qemu");
        checkConfigPerms(world.auth, who, "qemu", g.vmid, params);
        await world.locks.with(g.vmid, "qemu", world.lockTimeout(), () => update(world, g, params));
        return null;
      },
    },
    {
      method: "POST",
      path: "/nodes/{node}/qemu/{vmid}/config",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, "qemu");
        checkConfigPerms(world.auth, who, "qemu", g.vmid, params);
        return world.tasks.start(
          "qmconfig",
          String(g.vmid),
          who.authid,
          fault ?? world.faults.takeForTask("qmconfig", g.vmid),
          async (w) => {
            await world.locks.with(g.vmid, "qemu", world.lockTimeout(), async () => {
              await w.faultPoint();
              update(world, g, params);
              for (const [k, v] of Object.entries(params))
                if (!["node", "vmid", "digest"].includes(k))
                  w.log(`update VM ${g.vmid}: -${k} ${k === "cipassword" ? "<hidden>" : v}`);
            });
          },
        ).upid;
      },
    },
    {
      method: "PUT",
      path: "/nodes/{node}/qemu/{vmid}/cloudinit",
      handler: async ({ world, params }) => {
        const g = world.guest(int(params, "vmid")!, "qemu");
        await world.locks.with(g.vmid, "qemu", world.lockTimeout(), () => {
          world.checkLock(g);
          if (!Object.values(g.config).some((v) => v.includes("cloudinit")))
            throw fail("no cloudinit drive found");
        });
        return null;
      },
    },
    {
      method: "GET",
      path: "/nodes/{node}/qemu/{vmid}/cloudinit/dump",
      handler: ({ world, params }) => {
        const g = world.guest(int(params, "vmid")!, "qemu");
        const type = str(params, "type");
        if (type === "user") return userData(g);
        if (type === "meta") return `instance-id: ${g.config.vmgenid ?? g.vmid}\n`;
        return `version: 1\nconfig:\n    - type: physical\n      name: eth0\n      subnets:\n      - type: dhcp4\n`;
      },
    },
    {
      method: "PUT",
      path: "/nodes/{node}/qemu/{vmid}/resize",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, "qemu");
        const disk = str(params, "disk")!;
        const sizeStr = str(params, "size")!;
        return world.tasks.start(
          "resize",
          String(g.vmid),
          who.authid,
          fault ?? world.faults.takeForTask("resize", g.vmid),
          async (w) => {
            await world.locks.with(g.vmid, "qemu", world.lockTimeout(), async () => {
              world.checkLock(g);
              assertDigest(g, str(params, "digest"));
              const value = g.config[disk];
              if (!value) throw fail(`disk '${disk}' does not exist`);
              const m = /^(\+)?(\d+(?:\.\d+)?[KMGT]?)$/.exec(sizeStr);
              if (!m) throw fail(`invalid size string '${sizeStr}'`);
              const current = parseSize(/size=([^,]+)/.exec(value)?.[1] ?? "0") ?? 0;
              const delta = parseSize(m[2]!) ?? 0;
              const target = m[1] ? current + delta : delta;
              if (target < current) throw fail("shrinking disks is not supported");
              await w.faultPoint();
              const found = findVolume(world, value.split(",")[0]!);
              if (found && target - current > avail(found.storage))
                throw fail("lvextend error: Insufficient free space");
              await w.sleep(1000);
              if (found) found.volume.size = target;
              const text = target % GiB === 0 ? `${target / GiB}G` : `${Math.round(target / 2 ** 20)}M`;
              g.config[disk] = value.replace(/size=[^,]+/, `size=${text}`);
            });
          },
        ).upid;
      },
    },
  ];
}
