import type { World } from "../world.ts";
import { HostCommandError, type HostIo } from "./host-io.ts";
import { runIp } from "./ip.ts";
import { runPct } from "./pct.ts";
import { runPveum } from "./pveum.ts";

// The simulated node's CLI tools, run through the control API by bin/host-command.cjs:
// `pct`, `pveum` and `pveversion`. Each call first costs the configured start-up time (real
// `pct`/`pveum` are Perl programs that load PVE's modules before doing anything: roughly
// 0.3–0.6 s on a real host), and is appended to the call log when one is configured.

/** The host commands the simulator provides. */
export const HOST_COMMANDS = ["pct", "pveum", "pveversion", "ip"] as const;
export type HostCommand = (typeof HOST_COMMANDS)[number];

/** pveversion's first line for a version, as on a real node. */
export function pveversionLine(version: string): string {
  const kernel = version.startsWith("9") ? "6.14.8-2-pve" : "6.8.12-4-pve";
  return `pve-manager/${version}/c5ee6d2a6d2bd9c3 (running kernel: ${kernel})`;
}

/** Runs one host command line; resolves to its exit code. */
export async function runHostCommand(
  world: World,
  name: HostCommand,
  argv: string[],
  io: HostIo,
): Promise<number> {
  world.callLog?.({ kind: "host", argv: [name, ...argv] });
  const cost = world.hostCommandCostMs(name);
  if (cost > 0) await new Promise((r) => setTimeout(r, cost));
  if (name === "pct") return runPct(world, argv, io);
  try {
    if (name === "pveversion") {
      io.stdout.write(`${pveversionLine(world.pveVersion)}\n`);
      return 0;
    }
    if (name === "ip") return runIp(world, argv, io);
    return runPveum(world, argv, io);
  } catch (err) {
    const text = err instanceof HostCommandError ? err.message : `${err}`;
    io.stderr.write(`${text.replace(/\n$/, "")}\n`);
    return 255;
  }
}
