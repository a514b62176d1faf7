import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { World } from "../world.ts";
import type { Guest } from "./guest.ts";

// The docker shim's state in a guest (bin/guest/docker-lib.cjs keeps it in
// $PVE_SIM_GUEST_ROOT/var/lib/docker-sim): read by the guest runtime and the interface model.

export interface ContainerState {
  name: string;
  pids?: number[];
  status?: string;
  restart?: string;
}

/** Where the docker shim keeps a guest's container state (inside the guest's disk). */
export function dockerStateDir(world: World, g: Guest): string {
  return join(world.stateDir, "guests", String(g.vmid), "root", "var", "lib", "docker-sim");
}

/** The folder of the containers' state files. */
export function containerDir(world: World, g: Guest): string {
  return join(dockerStateDir(world, g), "containers");
}

/** The docker shim's container records of a guest. */
export function readContainers(world: World, g: Guest): ContainerState[] {
  try {
    return readdirSync(containerDir(world, g))
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(containerDir(world, g), f), "utf8")) as ContainerState);
  } catch {
    return [];
  }
}

/** Whether a pid runs (a zombie waiting for a reaper counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The docker-shim containers of a guest with their live pids (state inspection). */
export function containersOf(world: World, g: Guest): { name: string; status: string; pids: number[] }[] {
  return readContainers(world, g).map((c) => ({
    name: c.name,
    status: c.status ?? "unknown",
    pids: (c.pids ?? []).filter(isAlive),
  }));
}
