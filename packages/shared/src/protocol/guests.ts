import { z } from "zod";

export const GUEST_TYPES = ["lxc", "qemu"] as const;
export const POWER_ACTIONS = ["start", "stop", "shutdown", "reboot"] as const;

/** Proxmox guest ids: 100 and up (one namespace for LXC and QEMU). */
export const vmidSchema = z.number().int().min(100).max(999_999_999);
