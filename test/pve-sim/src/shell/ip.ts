import { net0Of } from "../guests/interfaces.ts";
import { hasAddress } from "../guests/lifecycle.ts";
import type { World } from "../world.ts";
import { HostCommandError, type HostIo } from "./host-io.ts";

// The host's `ip -j neigh show`: the neighbour (ARP) table of the node's bridge. A guest shows
// up once it has its address and has talked on the bridge; `world.neighbours = false` models a
// host that has not heard from its guests (no entries: the host is not their gateway).

/** Runs `ip [-j] neigh [show] [dev X]`; other `ip` commands are not modelled. */
export function runIp(world: World, argv: string[], io: HostIo): number {
  const json = argv.includes("-j") || argv.includes("-json") || argv.includes("--json");
  const words = argv.filter((a) => !a.startsWith("-"));
  if (!["neigh", "neighbour", "neighbor", "n"].includes(words[0] ?? ""))
    throw new HostCommandError(`ip ${words[0] ?? ""}: not modelled by the simulator (only ip neigh)`);
  const dev = words[words.indexOf("dev") + 1];
  const entries = world.neighbours
    ? [...world.guests.values()]
        .filter((g) => hasAddress(g))
        .map((g) => ({ dst: g.address, dev: "vmbr0", lladdr: net0Of(g).mac, state: ["REACHABLE"] }))
        .filter((e) => words.indexOf("dev") < 0 || e.dev === dev)
    : [];
  if (json) io.stdout.write(`${JSON.stringify(entries)}\n`);
  else for (const e of entries) io.stdout.write(`${e.dst} dev ${e.dev} lladdr ${e.lladdr} ${e.state[0]}\n`);
  return 0;
}
