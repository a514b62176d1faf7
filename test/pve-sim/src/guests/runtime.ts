import { spawn } from "node:child_process";
import { cpSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AuthorizedKeys, generateKeyPair, startSshServer } from "../shell/ssh.ts";
import type { World } from "../world.ts";
import { containerDir, readContainers } from "./docker-state.ts";
import type { Guest } from "./guest.ts";
import { guestEnv, sandboxDir } from "./sandbox.ts";

export { containersOf, isAlive } from "./docker-state.ts";

// What runs "inside" guests besides exec'd commands: docker-shim container processes
// (their pids live in the sandbox state files) and, for VMs with cloud-init sshkeys, an
// SSH server on the guest's address.

/** Kills the docker-shim processes of a guest (process groups). */
export function killContainers(world: World, g: Guest): void {
  for (const c of readContainers(world, g)) {
    for (const pid of c.pids ?? []) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    }
  }
}

/** Wires guest start/stop/destroy to processes; returns a stop for the simulator. */
export function attachGuestRuntime(world: World): { stop: () => Promise<void> } {
  const sshServers = new Map<number, { close: () => Promise<void> }>();
  const timers = new Set<NodeJS.Timeout>();
  const hostKey = generateKeyPair("pve-sim guest host key");

  const startGuestSsh = (g: Guest): void => {
    const keysText = g.config.sshkeys ? decodeURIComponent(g.config.sshkeys) : "";
    if (g.kind !== "qemu" || !keysText) return;
    const delay = world.clock.ms(world.clock.pick(30_000, 120_000, g.vmid));
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (g.status !== "running") return;
      const keys = new AuthorizedKeys();
      keys.add(keysText);
      const spec = {
        env: guestEnv(world, g),
        cwd: join(sandboxDir(world, g), "root"),
        shell: ["/bin/bash"],
        description: `VM ${g.vmid} ssh`,
      };
      void startSshServer(world, g.address, 22, hostKey.privateKey, keys, spec)
        .catch(() => startSshServer(world, g.address, 2222, hostKey.privateKey, keys, spec))
        .then((s) => {
          if (g.status !== "running") return s.close();
          sshServers.set(g.vmid, s);
        })
        .catch(() => {});
    }, delay);
    timers.add(timer);
  };

  const restartContainers = (g: Guest): void => {
    for (const c of readContainers(world, g)) {
      if (c.status === "running" && c.restart && c.restart !== "no") {
        const shim = spawn("docker", ["start", c.name], {
          env: guestEnv(world, g),
          cwd: sandboxDir(world, g),
          stdio: "ignore",
        });
        shim.on("error", () => {});
      }
    }
  };

  world.hooks.onStart = (g) => {
    startGuestSsh(g);
    restartContainers(g);
  };
  world.hooks.onStop = async (g) => {
    for (const t of [...world.tracked]) if (t.description.startsWith(`${g.vmid}: `)) await t.stop();
    killContainers(world, g);
    const s = sshServers.get(g.vmid);
    sshServers.delete(g.vmid);
    await s?.close();
  };
  // A clone's disk is a copy of the source's: files, docker state and images included, but
  // none of the source's processes (the clone's containers start with it, by restart policy).
  world.hooks.onClone = (src, clone) => {
    const from = join(world.stateDir, "guests", String(src.vmid), "root");
    if (!existsSync(from)) return;
    cpSync(from, join(world.stateDir, "guests", String(clone.vmid), "root"), { recursive: true });
    const dir = containerDir(world, clone);
    for (const c of readContainers(world, clone))
      writeFileSync(join(dir, `${c.name}.json`), JSON.stringify({ ...c, pids: [] }));
  };
  // A backup archive is a copy of the guest's files; a restore puts them into the new guest
  // (containers come back stopped-but-remembered, and start with it by restart policy).
  let archives = 0;
  world.hooks.onBackup = (g, vol) => {
    const from = join(world.stateDir, "guests", String(g.vmid), "root");
    const to = join(world.stateDir, "archives", String(++archives));
    if (existsSync(from)) cpSync(from, to, { recursive: true });
    vol.archiveDir = to;
  };
  world.hooks.onRestore = (vol, g) => {
    const root = join(world.stateDir, "guests", String(g.vmid), "root");
    rmSync(root, { recursive: true, force: true });
    if (!vol.archiveDir || !existsSync(vol.archiveDir)) return;
    cpSync(vol.archiveDir, root, { recursive: true });
    // dockerd starts only containers with a restart policy when the restored guest boots; the
    // others come back exited (and `compose up -d` starts them).
    const dir = containerDir(world, g);
    for (const c of readContainers(world, g)) {
      const restarts = c.status === "running" && c.restart !== undefined && c.restart !== "no";
      writeFileSync(
        join(dir, `${c.name}.json`),
        JSON.stringify({ ...c, pids: [], status: restarts ? "running" : "exited" }),
      );
    }
  };
  // A snapshot keeps the guest's files as they were; a rollback puts them back (code and data).
  world.hooks.onSnapshot = (g, name, op) => {
    const root = join(world.stateDir, "guests", String(g.vmid), "root");
    const copy = join(world.stateDir, "snapshots", String(g.vmid), name);
    if (op === "delete") rmSync(copy, { recursive: true, force: true });
    else if (op === "take") {
      rmSync(copy, { recursive: true, force: true });
      if (existsSync(root)) cpSync(root, copy, { recursive: true });
    } else if (existsSync(copy)) {
      rmSync(root, { recursive: true, force: true });
      cpSync(copy, root, { recursive: true });
    }
  };
  world.hooks.onDestroy = async (g) => {
    await world.hooks.onStop?.(g);
    rmSync(join(world.stateDir, "guests", String(g.vmid)), { recursive: true, force: true });
    rmSync(join(world.stateDir, "snapshots", String(g.vmid)), { recursive: true, force: true });
  };
  return {
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      for (const g of world.guests.values()) killContainers(world, g);
      await Promise.all([...sshServers.values()].map((s) => s.close()));
      sshServers.clear();
    },
  };
}
