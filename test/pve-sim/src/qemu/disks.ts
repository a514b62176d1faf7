import { fail } from "../server/errors.ts";
import { allocDisk, findVolume } from "../storage/volumes.ts";
import type { WorkerCtx } from "../tasks/tasks.ts";
import type { World } from "../world.ts";

const GiB = 2 ** 30;
/** Config keys that hold a QEMU drive. */
export const DRIVE_RE = /^(scsi\d+|virtio\d+|sata\d+|ide\d+|efidisk0|tpmstate0)$/;

function sizeText(bytes: number): string {
  return bytes % GiB === 0 ? `${bytes / GiB}G` : `${Math.round(bytes / 2 ** 20)}M`;
}

/**
 * Creates the volumes asked for by `STORAGE:SIZE`, `STORAGE:0,import-from=…` and
 * `STORAGE:cloudinit` drive values, rewriting the config values to the allocated volids.
 */
export function createDrives(
  world: World,
  w: WorkerCtx,
  vmid: number,
  config: Record<string, string>,
  created: string[],
  imported: { cloudImage?: boolean } = {},
): void {
  for (const key of Object.keys(config).sort()) {
    if (!DRIVE_RE.test(key)) continue;
    const parts = config[key]!.split(",");
    const first = parts[0]!.replace(/^file=/, "");
    const rest = parts.slice(1);
    const alloc = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(\d+(?:\.\d+)?)$/i.exec(first);
    const ci = /^([a-z][a-z0-9\-_.]*[a-z0-9]):cloudinit$/i.exec(first);
    if (ci) {
      const vol = allocDisk(world, ci[1]!, vmid, 4 * 2 ** 20, "images", `vm-${vmid}-cloudinit`);
      created.push(vol.volid);
      config[key] = [vol.volid, "media=cdrom"].join(",");
      w.log(`  Logical volume "vm-${vmid}-cloudinit" created.`);
      continue;
    }
    if (!alloc) {
      if (first !== "none" && first !== "cdrom" && !first.startsWith("/") && !findVolume(world, first)) {
        throw fail(`volume '${first}' does not exist`);
      }
      continue;
    }
    const importFrom = rest.find((p) => p.startsWith("import-from="))?.slice(12);
    let size = Number(alloc[2]) * GiB;
    if (importFrom) {
      const src = findVolume(world, importFrom);
      if (!src) throw fail(`volume '${importFrom}' does not exist`);
      size = Math.max(size, src.volume.size * 2);
      if (src.volume.cloudImage) imported.cloudImage = true;
    }
    const format = rest.find((p) => p.startsWith("format="))?.slice(7);
    const vol = allocDisk(world, alloc[1]!, vmid, size, "images", undefined, format);
    created.push(vol.volid);
    w.log(`  Logical volume "${vol.volid.split(":")[1]}" created.`);
    if (importFrom) w.log(`transferred ${sizeText(size)} of ${sizeText(size)} (100.00%)`);
    config[key] = [
      vol.volid,
      ...rest.filter((p) => !/^(import-from|size|format)=/.test(p)),
      `size=${sizeText(size)}`,
    ].join(",");
  }
}
