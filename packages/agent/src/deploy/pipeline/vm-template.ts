/** The boot disk of a VM config (its key and volume), the first disk that is not a CD-ROM or cloud-init drive. */
export function bootDisk(config: Record<string, unknown>): { key: string; storage: string } | undefined {
  for (const key of ["scsi0", "virtio0", "sata0", "ide0"]) {
    const value = config[key];
    if (typeof value !== "string" || /cloudinit|media=cdrom/.test(value)) continue;
    return { key, storage: value.split(":")[0] ?? "" };
  }
  return undefined;
}

/**
 * What a VM template lacks for Pylon, each with how to fix it: a disk to boot, a cloud-init
 * drive (user, SSH key and network come through it), and a way to learn the VM's address (the
 * QEMU guest agent enabled, or static addresses configured). A missing serial console is not
 * fatal (cloud images log there), so it is only a warning.
 */
export function templateProblems(
  vmid: number,
  config: Record<string, unknown>,
  opts: { staticAddresses: boolean },
): { missing: string[]; warnings: string[] } {
  const missing: string[] = [];
  const warnings: string[] = [];
  if (!bootDisk(config)) missing.push(`a disk to boot from (qm set ${vmid} --scsi0 …)`);
  const drives = Object.entries(config).filter(([k]) => /^(ide|scsi|sata|virtio)\d+$/.test(k));
  if (!drives.some(([, v]) => String(v).includes("cloudinit")))
    missing.push(`a cloud-init drive (qm set ${vmid} --ide2 local-lvm:cloudinit)`);
  const agent = String(config.agent ?? "0");
  if (!/^(1|enabled=1)/.test(agent) && !opts.staticAddresses)
    missing.push(
      `the QEMU guest agent enabled (qm set ${vmid} --agent enabled=1, with qemu-guest-agent in the image) or static VM addresses (apps.vmAddresses)`,
    );
  if (!config.serial0) warnings.push(`no serial console (qm set ${vmid} --serial0 socket --vga serial0)`);
  return { missing, warnings };
}
