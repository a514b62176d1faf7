import { createHash } from "node:crypto";

/** LXC container or QEMU VM. */
export type GuestKind = "lxc" | "qemu";

/** A snapshot: the config as it was, plus PVE's snapshot metadata. */
export interface Snapshot {
  name: string;
  config: Record<string, string>;
  snaptime: number;
  description: string;
  parent?: string;
  vmstate?: boolean;
}

/** A guest process started by the agent exec or by `pct exec` (for exec-status). */
export interface AgentExec {
  pid: number;
  exited: boolean;
  exitcode?: number;
  signal?: number;
  out: string;
  err: string;
}

/** One guest of the simulated node. */
export interface Guest {
  vmid: number;
  kind: GuestKind;
  /** Config keys as in /etc/pve/.../<vmid>.conf (all strings). */
  config: Record<string, string>;
  snapshots: Map<string, Snapshot>;
  status: "running" | "stopped";
  /** Simulated QEMU state beyond running/stopped. */
  qmpstatus?: "running" | "paused" | "stopped";
  startedAt?: number;
  /** Loopback address the guest gets (fixed per guest), and when it becomes visible. */
  address: string;
  addressAt?: number;
  agentAt?: number;
  /**
   * A VM whose disk has no qemu-guest-agent (a stock cloud image): the agent never answers,
   * though `agent: 1` is set. Clones inherit it (the disk is copied).
   */
  noGuestAgent?: boolean;
  /**
   * A VM's first boot: when cloud-init is done, and until when its package stage (the upgrade
   * `ciupgrade` asks for, PVE 8's default) holds the dpkg lock.
   */
  cloudInitDoneAt?: number;
  dpkgLockedUntil?: number;
  /** Whether the VM has booted before (cloud-init's first-boot work ran). */
  booted?: boolean;
  pid?: number;
  execs: Map<number, AgentExec>;
}

/** A guest's displayed type for texts: "CT" or "VM". */
export function label(kind: GuestKind): "CT" | "VM" {
  return kind === "lxc" ? "CT" : "VM";
}

/** Serializes a config like PVE writes it (sorted keys, `key: value` lines, description first). */
export function serializeConfig(config: Record<string, string>): string {
  let out = "";
  if (config.description !== undefined) {
    for (const line of config.description.split("\n")) out += `#${line}\n`;
  }
  for (const k of Object.keys(config).sort()) {
    if (k === "description" || k === "digest") continue;
    out += `${k}: ${config[k]}\n`;
  }
  return out;
}

/** The config digest (SHA-1 of the file text), as GET config returns and PUT checks. */
export function configDigest(guest: Guest): string {
  let text = serializeConfig(guest.config);
  for (const s of guest.snapshots.values()) text += `\n[${s.name}]\n${serializeConfig(s.config)}`;
  return createHash("sha1").update(text).digest("hex");
}

/** A stable MAC address for a guest's n-th NIC (Proxmox's BC:24:11 prefix). */
export function macFor(vmid: number, n: number): string {
  const b = [(vmid >> 16) & 0xff, (vmid >> 8) & 0xff, (vmid + n * 17) & 0xff];
  return ["BC", "24", "11", ...b.map((x) => x.toString(16).toUpperCase().padStart(2, "0"))].join(":");
}
