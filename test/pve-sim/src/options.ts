import type { StorageSpec } from "./storage/storage.ts";

/** Options of startSimulator; all optional. */
export interface SimOptions {
  /** Node name (default "pve"). */
  node?: string;
  /** Clock scale: 0 = zero-length tasks, 1 = realistic durations (default 0). */
  clockScale?: number;
  /** Delay of 401 answers in ms (real servers: 3000; default 3000). */
  auth401DelayMs?: number;
  /** Answer errors in the pre-8.3 form `{"data":null}` without `message` (default false). */
  legacyErrorBody?: boolean;
  /** API port (0 = a free port). */
  apiPort?: number;
  /** Control API port (0 = a free port). */
  controlPort?: number;
  /** Host-shell SSH port (0 = a free port). */
  sshPort?: number;
  /** First two octets of guest addresses (default "127.77"): guests get 127.77.x.y. */
  guestAddressBase?: string;
  /** Directory for the CA, keys and guest sandboxes (default: a fresh temp dir, removed on stop). */
  stateDir?: string;
  /** Password of root@pam for tickets (default "pylon-root"). */
  rootPassword?: string;
  /** Lock wait limit in real ms (default: 10 s scaled by the clock, at least 250 ms). */
  lockTimeoutMs?: number;
  /** Start the host-shell SSH server (default true). */
  ssh?: boolean;
  /** Reported PVE version (default "8.4.5"); "9.x" also switches the 9.0 permission changes on. */
  pveVersion?: string;
  /**
   * A PEM CA file every guest trusts, as if installed in its trust store: HTTPS clients in guest
   * commands (git, curl) verify against it. For Git servers with a private CA in tests.
   */
  guestCaFile?: string;
  /** Seed the node with a debian-12 template and a cloud-init VM template 9000 (default true). */
  seed?: boolean;
  /**
   * Start-up cost in real ms of each host command (`pct`, `pveum`, `pveversion`) before it does
   * anything: one number for all, or per command (real `pct` is a Perl program: ~300–600 ms).
   * Default 0.
   */
  hostCommandMs?: number | Partial<Record<"pct" | "pveum" | "pveversion" | "ip", number>>;
  /**
   * Append every API call (method, path, parameters, token id, status) and every host command
   * (argv) to this file as JSON lines. Default: the PVE_SIM_CALL_LOG environment variable.
   */
  callLogFile?: string;
  /**
   * Storages beside `local` (dir) and `local-lvm` (lvmthin), e.g. a ZFS pool, a directory
   * holding raw disks (no snapshots) or a Proxmox Backup Server (`{id:"pbs", type:"pbs"}`).
   */
  storages?: StorageSpec[];
}

/** Options with defaults applied. */
export type ResolvedOptions = Required<
  Omit<SimOptions, "stateDir" | "lockTimeoutMs" | "guestCaFile" | "callLogFile">
> & {
  stateDir?: string;
  lockTimeoutMs?: number;
  guestCaFile?: string;
  callLogFile?: string;
};

/** Applies defaults. */
export function resolveOptions(o: SimOptions = {}): ResolvedOptions {
  return {
    node: o.node ?? "pve",
    clockScale: o.clockScale ?? 0,
    auth401DelayMs: o.auth401DelayMs ?? 3000,
    legacyErrorBody: o.legacyErrorBody ?? false,
    apiPort: o.apiPort ?? 0,
    controlPort: o.controlPort ?? 0,
    sshPort: o.sshPort ?? 0,
    guestAddressBase: o.guestAddressBase ?? "127.77",
    stateDir: o.stateDir,
    rootPassword: o.rootPassword ?? "pylon-root",
    lockTimeoutMs: o.lockTimeoutMs,
    guestCaFile: o.guestCaFile,
    ssh: o.ssh ?? true,
    seed: o.seed ?? true,
    pveVersion: o.pveVersion ?? "8.4.5",
    hostCommandMs: o.hostCommandMs ?? 0,
    callLogFile: o.callLogFile ?? (process.env.PVE_SIM_CALL_LOG || undefined),
    storages: o.storages ?? [],
  };
}
