import { fail } from "../server/errors.ts";
import type { World } from "../world.ts";
import { type Guest, type GuestKind, label, macFor } from "./guest.ts";

// Guest addresses are unique in the process; the third octet starts from the pid so that
// simulators in parallel test workers do not hand out the same address.
let addressCounter = 0;

/** A fresh loopback address for a guest: <base>.x.y (127.77.x.y by default). */
export function guestAddress(world: World): string {
  const n = (process.pid % 250) * 254 + addressCounter++;
  return `${world.opts.guestAddressBase}.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
}

/** Creates a guest object (not yet visible until added to world.guests). */
export function newGuest(world: World, vmid: number, kind: GuestKind, config: Record<string, string>): Guest {
  return {
    vmid,
    kind,
    config,
    snapshots: new Map(),
    status: "stopped",
    address: guestAddress(world),
    execs: new Map(),
  };
}

/** Adds `hwaddr`/`type=veth` (LXC) or a MAC (QEMU) to NIC properties, as PVE writes them. */
export function normalizeNets(kind: GuestKind, vmid: number, config: Record<string, string>): void {
  for (const key of Object.keys(config)) {
    const m = /^net(\d+)$/.exec(key);
    if (!m) continue;
    const n = Number(m[1]);
    const parts = config[key]!.split(",").filter(Boolean);
    if (kind === "lxc") {
      const has = (k: string): boolean => parts.some((p) => p.startsWith(`${k}=`));
      if (!has("hwaddr")) parts.push(`hwaddr=${macFor(vmid, n)}`);
      if (!has("type")) parts.push("type=veth");
      const name = parts.find((p) => p.startsWith("name="));
      const rest = parts.filter((p) => p !== name).sort();
      config[key] = [name, ...rest].filter(Boolean).join(",");
    } else {
      const models = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3"];
      config[key] = parts.map((p) => (models.includes(p) ? `${p}=${macFor(vmid, n)}` : p)).join(",");
    }
  }
}

/** Marks a guest running (the address shows up later, scaled by the clock). */
export function markRunning(world: World, g: Guest): void {
  g.status = "running";
  g.qmpstatus = "running";
  g.startedAt = Date.now();
  g.pid = 10_000 + g.vmid;
  // cloud-init gives a VM the static address of its ipconfig0 (ip=10.0.0.5/24,gw=…) instead of DHCP.
  const fixed =
    g.kind === "qemu" ? /(?:^|,)ip=(\d+\.\d+\.\d+\.\d+)\//.exec(g.config.ipconfig0 ?? "")?.[1] : undefined;
  if (fixed) g.address = fixed;
  // DHCP-like: the address only appears 2-10 s (simulated) after start.
  g.addressAt = Date.now() + world.clock.ms(world.clock.pick(2000, 10_000, g.vmid));
  g.agentAt = Date.now() + world.clock.ms(world.clock.pick(10_000, 60_000, g.vmid));
  if (g.kind === "qemu" && !g.booted && g.config.template !== "1") {
    // cloud-init's first boot: network and SSH keys (30–120 s), then, unless `ciupgrade: 0`,
    // a package upgrade (20–90 s) that holds the dpkg lock from the start of its package stage.
    const upgrade = g.config.ciupgrade !== "0";
    const base = world.clock.ms(world.clock.pick(30_000, 120_000, g.vmid));
    const extra = upgrade ? world.clock.ms(world.clock.pick(20_000, 90_000, g.vmid + 7)) : 0;
    g.cloudInitDoneAt = Date.now() + base + extra;
    g.dpkgLockedUntil = upgrade ? g.cloudInitDoneAt : undefined;
    g.booted = true;
  }
  world.hooks.onStart?.(g);
}

/** Marks a guest stopped and stops what runs "inside" it. */
export async function markStopped(world: World, g: Guest): Promise<void> {
  g.status = "stopped";
  g.qmpstatus = "stopped";
  g.startedAt = undefined;
  g.addressAt = undefined;
  g.agentAt = undefined;
  g.pid = undefined;
  await world.hooks.onStop?.(g);
}

/** Whether the guest currently has its address (running and past the DHCP delay). */
export function hasAddress(g: Guest): boolean {
  return g.status === "running" && g.addressAt !== undefined && Date.now() >= g.addressAt;
}

/** Sets the `lock` property, failing if another lock is set. */
export function setLock(world: World, g: Guest, lock: string): void {
  world.checkLock(g);
  g.config.lock = lock;
}

/** Removes the `lock` property if it is the given one. */
export function clearLock(g: Guest, lock?: string): void {
  if (!lock || g.config.lock === lock) delete g.config.lock;
}

/** "CT 101 not running" / "VM 100 not running". */
export function notRunning(g: Guest): Error {
  return fail(`${label(g.kind)} ${g.vmid} not running`);
}

/** "CT 101 already running" / "VM 100 already running". */
export function alreadyRunning(g: Guest): Error {
  return fail(`${label(g.kind)} ${g.vmid} already running`);
}

/**
 * A guest's clean shutdown (its OS stopping its services, 2–6 s for a CT, 3–10 s for a VM),
 * bounded by `timeoutS`: past it, `forceStop` stops it hard with PVE's warning (the task ends
 * `WARNINGS: 1`), else the task fails with PVE's timeout text. A `hang` fault is an OS that never
 * finishes shutting down (a process ignoring SIGTERM, no ACPI in the VM).
 */
export async function shutdownGuest(
  world: World,
  g: Guest,
  w: { faultPoint(): Promise<void>; sleep(ms: number): Promise<void>; warn(line: string): void },
  timeoutS: number,
  forceStop: boolean,
): Promise<void> {
  const [min, max] = g.kind === "lxc" ? [2000, 6000] : [3000, 10_000];
  const clean = (async () => {
    await w.faultPoint();
    await w.sleep(world.clock.pick(min, max, g.vmid));
    return "clean" as const;
  })();
  clean.catch(() => {});
  // At least 100 real ms, so with zero-length tasks a clean shutdown still wins the race.
  const limit = new Promise<"timeout">((r) =>
    setTimeout(() => r("timeout"), Math.max(100, world.clock.ms(timeoutS * 1000))),
  );
  if ((await Promise.race([clean, limit])) === "timeout") {
    if (!forceStop)
      throw fail(
        g.kind === "lxc"
          ? `command 'lxc-stop -n ${g.vmid} --timeout ${timeoutS}' failed: got timeout`
          : "VM quit/powerdown failed - got timeout",
      );
    w.warn(
      g.kind === "lxc"
        ? "shutdown failed - forcing stop now"
        : "VM still running - terminating now with SIGTERM",
    );
  }
  await markStopped(world, g);
}
