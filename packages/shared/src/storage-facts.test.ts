import { describe, expect, it } from "vitest";
import { combineCapabilities, snapshotCapability, volumeFormat } from "./storage-facts.ts";

describe("snapshot capability (Proxmox's storage table)", () => {
  it("follows the storage type and the disk format", () => {
    expect(snapshotCapability("local-lvm", "lvmthin", "raw").supported).toBe(true);
    expect(snapshotCapability("local-zfs", "zfspool", "subvol")).toEqual({
      supported: true,
      reason: null,
      latestOnly: true,
    });
    expect(snapshotCapability("data", "dir", "qcow2").supported).toBe(true);
    expect(snapshotCapability("data", "dir", "raw")).toEqual({
      supported: false,
      reason: "storage 'data' (dir) keeps the disk as a raw image, which cannot take snapshots",
      latestOnly: false,
    });
    expect(snapshotCapability("nas", "nfs", "raw").supported).toBe(false);
    expect(snapshotCapability("big", "lvm", "raw").reason).toBe("storage 'big' (lvm) cannot take snapshots");
  });

  it("reads the format from the volume id", () => {
    expect(volumeFormat("data:101/vm-101-disk-0.raw")).toBe("raw");
    expect(volumeFormat("data:101/vm-101-disk-0.qcow2")).toBe("qcow2");
    expect(volumeFormat("local-zfs:subvol-101-disk-0")).toBe("subvol");
    expect(volumeFormat("local-lvm:vm-101-disk-0")).toBe("raw");
  });

  it("refuses a guest when any one disk cannot", () => {
    const ok = snapshotCapability("local-zfs", "zfspool", "raw");
    const no = snapshotCapability("data", "dir", "raw");
    expect(combineCapabilities([ok, no]).supported).toBe(false);
    expect(combineCapabilities([ok]).latestOnly).toBe(true);
  });
});
