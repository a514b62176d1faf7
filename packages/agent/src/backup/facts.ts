import {
  combineCapabilities,
  type SnapshotCapability,
  snapshotCapability,
  volumeFormat,
} from "@pylon/shared/storage-facts";
import type { PveApi } from "../deploy/pipeline/pve-api.ts";
import type { JobContext } from "../jobs/types.ts";
import type { GuestType } from "../proxmox/client.ts";

const DISK_KEY = /^(rootfs|mp\d+|scsi\d+|virtio\d+|sata\d+|ide\d+|efidisk0|tpmstate0)$/;

/** The guest's disk volume ids (CD-ROMs and the cloud-init drive left out). */
export function guestDiskVolids(config: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    if (!DISK_KEY.test(k) || typeof v !== "string") continue;
    if (v.includes("media=cdrom") || v.includes("cloudinit")) continue;
    out.push(v.split(",")[0]!.replace(/^volume=/, ""));
  }
  return out;
}

/**
 * Whether the guest's disks can take snapshots (Proxmox's storage table applied to each disk's
 * storage type and format), and whether rollback is limited to the newest snapshot (ZFS).
 */
export async function snapshotFacts(
  ctx: JobContext,
  api: PveApi,
  type: GuestType,
  vmid: number,
): Promise<SnapshotCapability> {
  const [config, storages] = await Promise.all([api.config(type, vmid), ctx.pve.storages(ctx.nodeName)]);
  const typeOf = new Map(storages.map((s) => [s.storage, s.type]));
  return combineCapabilities(
    guestDiskVolids(config).map((volid) => {
      const storage = volid.split(":")[0] ?? "";
      return snapshotCapability(storage, typeOf.get(storage) ?? "unknown", volumeFormat(volid));
    }),
  );
}
