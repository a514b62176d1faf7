import { fail } from "../server/errors.ts";
import type { World } from "../world.ts";
import { avail, type Content, type Storage, type Volume } from "./storage.ts";

const MiB = 2 ** 20;

/** Next free disk name for a guest on a storage: vm-<id>-disk-<n> (base-… for templates). */
export function nextDiskName(s: Storage, vmid: number, prefix = "vm"): string {
  for (let n = 0; ; n++) {
    const name = `${prefix}-${vmid}-disk-${n}`;
    if (![...s.volumes.keys()].some((v) => v.endsWith(`:${name}`) || v.endsWith(`/${name}`))) return name;
  }
}

/** Allocates a disk volume, failing like lvcreate when the storage is full. */
export function allocDisk(
  world: World,
  storeid: string,
  vmid: number,
  size: number,
  content: Content,
  name?: string,
): Volume {
  const s = world.storage(storeid);
  if (!s.content.includes(content)) {
    throw fail(
      content === "rootdir"
        ? `storage '${storeid}' does not support container directories`
        : `storage '${storeid}' does not support content-type '${content}'`,
    );
  }
  const volname = name ?? nextDiskName(s, vmid);
  if (size > avail(s)) {
    const extents = (n: number): number => Math.ceil(n / (4 * MiB));
    throw fail(
      `lvcreate 'pve/${volname}' error:   Volume group "pve" has insufficient free space (${extents(avail(s))} extents): ${extents(size)} required.`,
    );
  }
  const vol: Volume = {
    volid: `${storeid}:${volname}`,
    content,
    size,
    format: "raw",
    ctime: Math.floor(Date.now() / 1000),
    vmid,
  };
  s.volumes.set(vol.volid, vol);
  return vol;
}

/** Finds a volume by volid. */
export function findVolume(world: World, volid: string): { storage: Storage; volume: Volume } | undefined {
  for (const s of world.storages) {
    const v = s.volumes.get(volid);
    if (v) return { storage: s, volume: v };
  }
  return undefined;
}

/** Frees a volume (no error if it is gone). */
export function freeVolume(world: World, volid: string): void {
  for (const s of world.storages) s.volumes.delete(volid);
}

/** Volumes owned by a guest (disks on any storage, not backups). */
export function guestDisks(world: World, vmid: number): Volume[] {
  const out: Volume[] = [];
  for (const s of world.storages) {
    for (const v of s.volumes.values())
      if (v.vmid === vmid && (v.content === "images" || v.content === "rootdir")) out.push(v);
  }
  return out;
}

/** The vzdump-style time stamp YYYY_MM_DD-HH_MM_SS (local time, as vzdump names files). */
export function backupStamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}_${p(d.getMonth() + 1)}_${p(d.getDate())}-${p(d.getHours())}_${p(d.getMinutes())}_${p(d.getSeconds())}`;
}
