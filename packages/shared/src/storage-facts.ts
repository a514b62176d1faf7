// What a Proxmox storage can do for an app's guest, from Proxmox's storage table
// (https://pve.proxmox.com/pve-docs/chapter-pvesm.html#_storage_types): snapshots on lvmthin,
// zfspool, rbd, btrfs and cephfs always; on dir/nfs/cifs/glusterfs only for qcow2 images; never
// on raw images there or on LVM (thick) and iSCSI. ZFS rolls back only to the newest snapshot.

const ALWAYS = new Set(["lvmthin", "zfspool", "zfs", "rbd", "btrfs", "cephfs"]);
const FILE_BASED = new Set(["dir", "nfs", "cifs", "glusterfs"]);
const LATEST_ONLY = new Set(["zfspool", "zfs"]);

/** Whether one disk can take snapshots, and why not when it cannot. */
export interface SnapshotCapability {
  supported: boolean;
  reason: string | null;
  /** Rollback only to the most recent snapshot (ZFS). */
  latestOnly: boolean;
}

/**
 * The snapshot capability of a disk on a storage of `storageType`, stored in `format` (raw,
 * qcow2, subvol; a CT's disk on a directory storage is always raw). Unknown types are left to
 * Proxmox (supported).
 */
export function snapshotCapability(storage: string, storageType: string, format: string): SnapshotCapability {
  const latestOnly = LATEST_ONLY.has(storageType);
  if (ALWAYS.has(storageType)) return { supported: true, reason: null, latestOnly };
  if (FILE_BASED.has(storageType)) {
    if (format === "qcow2") return { supported: true, reason: null, latestOnly: false };
    return {
      supported: false,
      reason: `storage '${storage}' (${storageType}) keeps the disk as a ${format} image, which cannot take snapshots`,
      latestOnly: false,
    };
  }
  if (["lvm", "iscsi", "iscsidirect", "pbs"].includes(storageType))
    return {
      supported: false,
      reason: `storage '${storage}' (${storageType}) cannot take snapshots`,
      latestOnly: false,
    };
  return { supported: true, reason: null, latestOnly };
}

/** The format a volume id implies: its extension on file storages, subvol for ZFS CT disks, else raw. */
export function volumeFormat(volid: string): string {
  const name = volid.split(":")[1] ?? "";
  const ext = /\.(qcow2|raw|vmdk)$/.exec(name)?.[1];
  if (ext) return ext;
  return /(^|\/)subvol-/.test(name) ? "subvol" : "raw";
}

/** All of a guest's disks together: supported only if every disk is. */
export function combineCapabilities(list: SnapshotCapability[]): SnapshotCapability {
  const bad = list.find((c) => !c.supported);
  return bad ?? { supported: true, reason: null, latestOnly: list.some((c) => c.latestOnly) };
}
