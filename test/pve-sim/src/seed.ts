import { randomUUID } from "node:crypto";
import { newGuest } from "./guests/lifecycle.ts";
import type { World } from "./world.ts";

const GiB = 2 ** 30;

/** The state of a fresh test node: a debian-12 template and a cloud-init VM template (9000). */
export function seed(world: World): void {
  const local = world.storage("local");
  const lvm = world.storage("local-lvm");
  const now = Math.floor(Date.now() / 1000) - 86400;
  const tpl = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
  local.volumes.set(tpl, { volid: tpl, content: "vztmpl", size: 126_117_248, format: "tzst", ctime: now });
  const base = "local-lvm:base-9000-disk-0";
  lvm.volumes.set(base, {
    volid: base,
    content: "images",
    size: 3 * GiB,
    format: "raw",
    ctime: now,
    vmid: 9000,
  });
  const ci = "local-lvm:vm-9000-cloudinit";
  lvm.volumes.set(ci, {
    volid: ci,
    content: "images",
    size: 4 * 2 ** 20,
    format: "raw",
    ctime: now,
    vmid: 9000,
  });
  const vm = newGuest(world, 9000, "qemu", {
    name: "debian-12-cloudinit",
    template: "1",
    memory: "2048",
    cores: "2",
    cpu: "x86-64-v2-AES",
    ostype: "l26",
    scsihw: "virtio-scsi-single",
    scsi0: `${base},iothread=1,size=3G`,
    ide2: `${ci},media=cdrom`,
    boot: "order=scsi0",
    serial0: "socket",
    vga: "serial0",
    agent: "enabled=1",
    net0: "virtio=BC:24:11:00:23:28,bridge=vmbr0",
    ipconfig0: "ip=dhcp",
    smbios1: `uuid=${randomUUID()}`,
    vmgenid: randomUUID(),
    meta: `creation-qemu=9.2.0,ctime=${now}`,
  });
  world.guests.set(9000, vm);
}
