import { rmSync } from "node:fs";
import { fail } from "../server/errors.ts";
import type { World } from "../world.ts";
import { avail, type Content, type Storage, type Volume } from "./storage.ts";

const MiB = 2 ** 20;

/** Next free disk name for a guest on a storage: vm-<id>-disk-<n> (base-… for templates). */
export function nextDiskName(s: Storage, vmid: number, prefix = "vm"): string {
  const taken = new Set(
    [...s.volumes.keys()].map((v) =>
      (v.split(":")[1] ?? "")
        .split("/")
        .at(-1)!
        .replace(/\.(raw|qcow2)$/, ""),
    ),
  );
  for (let n = 0; ; n++) {
    const name = `${prefix}-${vmid}-disk-${n}`;
    if (!taken.has(name) && !taken.has(name.replace(/^vm-/, "subvol-"))) return name;
  }
}

/** The volume name a new disk gets on a storage of this type, and its format. */
function diskVolname(s: Storage, vmid: number, content: Content, format?: string): [string, string] {
  const base = nextDiskName(s, vmid);
  if (s.type === "zfspool" && content === "rootdir") return [base.replace(/^vm-/, "subvol-"), "subvol"];
  if (s.type === "dir" || s.type === "nfs" || s.type === "btrfs") {
    const f = format === "qcow2" && content === "images" ? "qcow2" : "raw";
    return [`${vmid}/${base}.${f}`, f];
  }
  return [base, "raw"];
}

/** The error a storage of this type gives when a new disk does not fit. */
function noSpace(s: Storage, volname: string, size: number): Error {
  const extents = (n: number): number => Math.ceil(n / (4 * MiB));
  if (s.type === "lvmthin" || s.type === "lvm")
    return fail(
      `lvcreate 'pve/${volname}' error:   Volume group "pve" has insufficient free space (${extents(avail(s))} extents): ${extents(size)} required.`,
    );
  if (s.type === "zfspool") return fail(`zfs error: cannot create 'rpool/data/${volname}': out of space`);
  return fail(`unable to create image: write error: No space left on device`);
}

/** Allocates a disk volume, failing like the storage does when it is full. */
export function allocDisk(
  world: World,
  storeid: string,
  vmid: number,
  size: number,
  content: Content,
  name?: string,
  format?: string,
): Volume {
  const s = world.storage(storeid);
  if (!s.content.includes(content)) {
    throw fail(
      content === "rootdir"
        ? `storage '${storeid}' does not support container directories`
        : `storage '${storeid}' does not support content-type '${content}'`,
    );
  }
  const [volname, fmt] = name ? [name, "raw"] : diskVolname(s, vmid, content, format);
  if (size > avail(s)) throw noSpace(s, volname, size);
  const vol: Volume = {
    volid: `${storeid}:${volname}`,
    content,
    size,
    format: fmt,
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

/** Removes a backup volume and the copy of the guest's files it carried. */
export function removeBackup(s: Storage, volid: string): void {
  const v = s.volumes.get(volid);
  s.volumes.delete(volid);
  if (v?.archiveDir) rmSync(v.archiveDir, { recursive: true, force: true });
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
