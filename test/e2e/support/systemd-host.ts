// A Debian host with real systemd as PID 1, in a systemd-nspawn container on this machine: the
// root filesystem is made once with debootstrap from Debian's mirror and cached under
// /var/cache/pylon-test/rootfs/ (every boot runs on a throwaway overlay of it, so the cache is
// never written), the container shares this machine's network (the control plane, the
// simulator and Caddy on 127.0.0.1 are reachable from inside), and commands run in it through
// nsenter. The container is stopped by its nspawn PID.
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, renameSync, rmSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);
const CACHE = process.env.PYLON_TEST_CACHE ?? "/var/cache/pylon-test";
/** What the rootfs holds besides Debian's minimal base: systemd as init, curl for the installer, Debian's nodejs. */
const PACKAGES = ["systemd", "systemd-sysv", "curl", "ca-certificates", "nodejs"];
const MIRROR = process.env.PYLON_TEST_DEBIAN_MIRROR ?? "http://deb.debian.org/debian";
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Why this machine cannot run the tier, or null when it can (root, systemd-nspawn, debootstrap). */
export function systemdHostUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "needs root (systemd-nspawn, debootstrap)";
  for (const tool of ["systemd-nspawn", "debootstrap", "nsenter"])
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0)
      return `${tool} is missing (scripts/system-deps.sh installs it)`;
  return null;
}

/**
 * The cached root filesystem of a Debian suite (bookworm: PVE 8's base; trixie: PVE 9's),
 * built with debootstrap when missing (about a minute each on 2 cores). The name carries a hash
 * of what it holds, so a change to the package list builds a new one.
 */
export async function debianRootfs(suite: "bookworm" | "trixie"): Promise<{ path: string; built: boolean }> {
  const id = createHash("sha256")
    .update(`${suite} ${PACKAGES.join(",")} minbase`)
    .digest("hex")
    .slice(0, 12);
  const path = `${CACHE}/rootfs/${suite}-${id}`;
  if (existsSync(`${path}/usr/bin/node`)) return { path, built: false };
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await run("debootstrap", ["--variant=minbase", `--include=${PACKAGES.join(",")}`, suite, tmp, MIRROR], {
    maxBuffer: 64 * 2 ** 20,
  });
  try {
    renameSync(tmp, path);
  } catch {
    // Another run finished the same build first.
    rmSync(tmp, { recursive: true, force: true });
  }
  return { path, built: true };
}

export interface Bind {
  host: string;
  guest: string;
  readOnly?: boolean;
}

/** A booted container: run commands in it, stop it. */
export interface SystemdHost {
  /** PID of the container's systemd (PID 1 inside). */
  initPid: number;
  /** Runs argv inside (root, a clean environment); never rejects, returns what happened. */
  exec(argv: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<ExecResult>;
  /** Everything nspawn printed (boot messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Boots `rootfs` with systemd as PID 1 on a throwaway overlay and waits until systemd is up. */
export async function bootSystemdHost(opts: {
  rootfs: string;
  name: string;
  binds?: Bind[];
}): Promise<SystemdHost> {
  const args = [
    "-D",
    opts.rootfs,
    // The cached tree stays untouched: writes go to a tmpfs overlay that ends with the container.
    "--volatile=overlay",
    // No machined or host systemd here: keep the container in our own cgroup, unregistered.
    "--register=no",
    "--keep-unit",
    `--machine=${opts.name}`,
    "--console=passive",
    ...(opts.binds ?? []).map((b) => `--bind${b.readOnly ? "-ro" : ""}=${b.host}:${b.guest}`),
    "--boot",
  ];
  // The container gets a pure cgroup v2 tree (Debian 13's systemd refuses v1).
  const child: ChildProcess = spawn("systemd-nspawn", args, {
    env: { PATH, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGTERM makes nspawn power the container off cleanly; SIGKILL if it does not within 30 s.
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    // The container's PID 1 is nspawn's child once it has exec'd systemd (before that the
    // child is nspawn's own helper).
    const initPid = await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`systemd-nspawn exited ${child.exitCode}:\n${out}`);
      const r = spawnSync("ps", ["-o", "pid=,comm=", "--ppid", String(child.pid)], { encoding: "utf8" });
      const line = r.stdout
        .trim()
        .split("\n")
        .map((l) => l.trim().split(/\s+/))
        .find(([, comm]) => comm === "systemd");
      return line ? Number(line[0]) : undefined;
    }, 60_000);
    const exec: SystemdHost["exec"] = (argv, o = {}) => {
      const env = Object.entries({ PATH, LANG: "C.UTF-8", HOME: "/root", ...o.env }).map(
        ([k, v]) => `${k}=${v}`,
      );
      return new Promise((resolve) => {
        execFile(
          "nsenter",
          ["-t", String(initPid), "-a", "--", "env", "-i", ...env, ...argv],
          { timeout: o.timeoutMs ?? 120_000, maxBuffer: 16 * 2 ** 20 },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      });
    };
    // Until systemd has exec'd and opened its socket, systemctl says "offline" or finds no bus;
    // then `--wait` returns once boot is done ("running", or "degraded" if some unit failed).
    const deadline = Date.now() + 120_000;
    for (;;) {
      const up = await exec(["systemctl", "is-system-running", "--wait"], { timeoutMs: 120_000 });
      if (/^(running|degraded)/.test(up.stdout)) break;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`the container did not boot: ${up.stdout}${up.stderr}\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { initPid, exec, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitFor<T>(fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The capability names in a /proc/<pid>/status mask line (`CapBnd: 00000000a80425fb`). */
export function capabilityNames(status: string, field: "CapBnd" | "CapEff"): string[] {
  const hex = new RegExp(`^${field}:\\s*([0-9a-f]+)`, "m").exec(status)?.[1] ?? "0";
  const mask = BigInt(`0x${hex}`);
  return CAPS.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

// linux/capability.h, by bit number.
const CAPS = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

/** The unit's CapabilityBoundingSet line, as names. */
export function unitCapabilities(unitText: string): string[] {
  return (/^CapabilityBoundingSet=(.*)$/m.exec(unitText)?.[1] ?? "").split(/\s+/).filter(Boolean);
}
