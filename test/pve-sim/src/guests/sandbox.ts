import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Tracked, World } from "../world.ts";
import type { Guest } from "./guest.ts";
import { guestInterfaces, ipJson } from "./interfaces.ts";
import { hasAddress } from "./lifecycle.ts";

/** The guest-side shims (docker, ip, hostname) put first on PATH inside every guest. */
export const shimDir = fileURLToPath(new URL("../../bin/guest", import.meta.url));

// Directories of the guest's filesystem that are bind-mounted from the sandbox in a private
// mount namespace, so `/opt/app` inside the guest is <sandbox>/opt/app (when unshare works).
const GUEST_DIRS = ["opt", "srv", "root", "home"];

/** A guest's sandbox directory (its "root"), created on first use. */
export function sandboxDir(world: World, g: Guest): string {
  const dir = join(world.stateDir, "guests", String(g.vmid), "root");
  // Checked on disk: a destroyed guest's sandbox is removed and a new one starts empty.
  if (!existsSync(join(dir, "home")))
    for (const d of GUEST_DIRS) mkdirSync(join(dir, d), { recursive: true });
  return dir;
}

/** Maps a guest path (/opt/app/x) into the sandbox. */
export function guestPath(world: World, g: Guest, path: string): string {
  const clean = path.replace(/\.\.(\/|$)/g, "");
  return join(sandboxDir(world, g), clean.startsWith("/") ? clean : `root/${clean}`);
}

/** The environment a guest command runs with: the guest's identity and the shims first on PATH. */
export function guestEnv(world: World, g: Guest, extra: Record<string, string> = {}): Record<string, string> {
  const root = sandboxDir(world, g);
  return {
    PATH: `${shimDir}:${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: canUnshare() ? "/root" : join(root, "root"),
    LANG: "C.UTF-8",
    TERM: "dumb",
    PVE_SIM_GUEST_ROOT: root,
    PVE_SIM_GUEST_VMID: String(g.vmid),
    // Only once DHCP gave the guest its address (what `ip addr` inside the guest shows).
    PVE_SIM_GUEST_IP: hasAddress(g) ? g.address : "",
    PVE_SIM_GUEST_HOSTNAME: g.config.hostname ?? g.config.name ?? `CT${g.vmid}`,
    PVE_SIM_GUEST_HWADDR: (
      /(?:hwaddr|virtio)=([^,]+)/.exec(g.config.net0 ?? "")?.[1] ?? "bc:24:11:00:00:00"
    ).toLowerCase(),
    PVE_SIM_NODE_BIN: process.execPath,
    // cloud-init's first boot in a VM (bin/guest/cloud-init, bin/guest/apt-get): ms since epoch.
    PVE_SIM_CLOUD_INIT_DONE_AT: String(g.cloudInitDoneAt ?? 0),
    PVE_SIM_DPKG_LOCKED_UNTIL: String(g.dpkgLockedUntil ?? 0),
    // What `ip -j addr` prints in the guest (bin/guest/ip), as of the command's start.
    PVE_SIM_GUEST_IFACES: JSON.stringify(ipJson(guestInterfaces(world, g))),
    ...(world.opts.guestCaFile
      ? { GIT_SSL_CAINFO: world.opts.guestCaFile, SSL_CERT_FILE: world.opts.guestCaFile }
      : {}),
    ...extra,
  };
}

const MOUNT_SCRIPT = `for d in ${GUEST_DIRS.join(" ")}; do mkdir -p "$PVE_SIM_GUEST_ROOT/$d"; if [ -d "/$d" ]; then mount --bind "$PVE_SIM_GUEST_ROOT/$d" "/$d"; fi; done; cd /root 2>/dev/null; exec "$@"`;

let unshareWorks: boolean | undefined;

/** Whether private mount namespaces are available (root with CAP_SYS_ADMIN). */
export function canUnshare(): boolean {
  if (unshareWorks === undefined) {
    const r = spawnSync("unshare", ["-m", "--propagation", "private", "true"], { stdio: "ignore" });
    unshareWorks = r.status === 0;
  }
  return unshareWorks;
}

/** The argv that runs a guest command (inside a mount namespace when possible). */
export function guestArgv(argv: string[]): string[] {
  if (!canUnshare()) return argv;
  return ["unshare", "-m", "--propagation", "private", "--", "/bin/sh", "-c", MOUNT_SCRIPT, "sh", ...argv];
}

/** Spawns a guest command with real argv (no shell) in the sandbox; tracked until it exits. */
export function spawnInGuest(
  world: World,
  g: Guest,
  argv: string[],
  extraEnv: Record<string, string> = {},
): ChildProcess {
  const root = sandboxDir(world, g);
  const full = guestArgv(argv);
  const child = spawn(full[0]!, full.slice(1), {
    cwd: join(root, "root"),
    env: guestEnv(world, g, extraEnv),
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const tracked: Tracked = {
    kind: "guest-command",
    pid: child.pid,
    description: `${g.vmid}: ${argv.join(" ")}`,
    stop: () => killTree(child),
  };
  world.tracked.add(tracked);
  child.on("exit", () => world.tracked.delete(tracked));
  child.on("error", () => world.tracked.delete(tracked));
  return child;
}

/** Kills a detached child's whole process group. */
export function killTree(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}
