import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { AuthStore } from "./auth/auth.ts";
import { Clock } from "./clock.ts";
import { Faults } from "./control/faults.ts";
import type { Guest, GuestKind } from "./guests/guest.ts";
import { label } from "./guests/guest.ts";
import type { ResolvedOptions } from "./options.ts";
import { type ApiSchema, loadSchema } from "./schema/load.ts";
import { fail } from "./server/errors.ts";
import { defaultStorages, type Storage, storageFrom, type Volume } from "./storage/storage.ts";
import { VmidLocks } from "./tasks/locks.ts";
import { TaskManager } from "./tasks/tasks.ts";

/** Something the simulator started that must be stopped with it (processes, servers). */
export interface Tracked {
  kind: string;
  pid?: number;
  description: string;
  stop(): Promise<void> | void;
}

/** The whole simulated node: guests, storages, tasks, locks, auth and faults. */
export class World {
  readonly schema: ApiSchema = loadSchema();
  readonly clock: Clock;
  readonly auth: AuthStore;
  readonly tasks: TaskManager;
  readonly locks = new VmidLocks();
  readonly faults = new Faults();
  readonly guests = new Map<number, Guest>();
  readonly storages: Storage[];
  readonly tracked = new Set<Tracked>();
  readonly bootTime = Math.floor(Date.now() / 1000) - 3 * 86400;
  /** Hooks set by the guest layer (addresses, processes). */
  hooks: {
    onStart?: (g: Guest) => void;
    onStop?: (g: Guest) => Promise<void> | void;
    onDestroy?: (g: Guest) => Promise<void> | void;
    /** A full clone finished: the clone's disk is a copy of the source's. */
    onClone?: (src: Guest, clone: Guest) => void;
    /** vzdump wrote an archive of the guest: keep a copy of its files with the volume. */
    onBackup?: (g: Guest, vol: Volume) => void;
    /** A restore finished: the guest's files are the archive's. */
    onRestore?: (vol: Volume, g: Guest) => void;
    /** A snapshot was taken, rolled back to, or deleted: its copy of the guest's files follows. */
    onSnapshot?: (g: Guest, name: string, op: "take" | "rollback" | "delete") => void;
  } = {};

  /** Whether the host's neighbour table lists its guests (`ip neigh`); a test may turn it off. */
  neighbours = true;
  /** The PVE version the node reports; a test may change it (an in-place upgrade). */
  pveVersion: string;

  constructor(
    readonly opts: ResolvedOptions,
    readonly stateDir: string,
  ) {
    this.pveVersion = opts.pveVersion;
    // `local` is a directory in the simulator's state dir (snippets written there are read back).
    this.storages = defaultStorages(join(stateDir, "var-lib-vz"));
    const logFile = opts.callLogFile;
    // Synchronous appends, so lines keep the order of the calls (an audit, not a hot path).
    this.callLog = logFile
      ? (entry) =>
          appendFileSync(logFile, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`)
      : undefined;
    this.clock = new Clock(opts.clockScale);
    this.storages = [...defaultStorages(), ...opts.storages.map(storageFrom)];
    this.auth = new AuthStore(opts.rootPassword);
    this.tasks = new TaskManager(opts.node, this.clock, this.faults);
  }

  /** Appends one entry to the call log (PVE_SIM_CALL_LOG / callLogFile), if one is configured. */
  readonly callLog: ((entry: Record<string, unknown>) => void) | undefined;

  /** The start-up cost of a host command in real ms. */
  hostCommandCostMs(name: "pct" | "pveum" | "pveversion" | "ip"): number {
    const c = this.opts.hostCommandMs;
    return typeof c === "number" ? c : (c[name] ?? 0);
  }

  get node(): string {
    return this.opts.node;
  }

  /** Real ms a lock waiter waits (10 s, or 5 s in create, scaled; never below 250 ms). */
  lockTimeout(simulatedMs = 10_000): number {
    return this.opts.lockTimeoutMs ?? Math.max(250, this.clock.ms(simulatedMs));
  }

  /** A storage by id, or PVE's error. */
  storage(id: string): Storage {
    const s = this.storages.find((x) => x.id === id);
    if (!s) throw fail(`storage '${id}' does not exist`);
    return s;
  }

  /** The guest of a kind, or PVE's missing-config error (500, not 404). */
  guest(vmid: number | string, kind: GuestKind): Guest {
    const g = this.guests.get(Number(vmid));
    if (!g || g.kind !== kind) {
      throw fail(`Configuration file 'nodes/${this.node}/${kind}/${vmid}.conf' does not exist`);
    }
    return g;
  }

  /** check_vmid_unused: "CT|VM <id> already exists on node '<n>'". */
  checkVmidUnused(vmid: number): void {
    const g = this.guests.get(vmid);
    if (g) throw fail(`${label(g.kind)} ${vmid} already exists on node '${this.node}'`);
  }

  /** check_lock: "CT|VM is locked (<lock>)". */
  checkLock(g: Guest): void {
    const lock = g.config.lock;
    if (lock) throw fail(`${label(g.kind)} is locked (${lock})`);
  }
}
