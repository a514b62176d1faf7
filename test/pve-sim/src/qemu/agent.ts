import type { AgentExec, Guest } from "../guests/guest.ts";
import { guestInterfaces } from "../guests/interfaces.ts";
import { spawnInGuest } from "../guests/sandbox.ts";
import { fail } from "../server/errors.ts";
import { int, type Route, str } from "../server/router.ts";
import type { World } from "../world.ts";
import { agentEnabled } from "./power.ts";

const MAX_OUT = 16 * 1024 * 1024;

/** The three refusals of the agent endpoints, in PVE's order. */
function agentReady(world: World, vmid: number): Guest {
  const g = world.guest(vmid, "qemu");
  if (!agentEnabled(g)) throw fail("No QEMU guest agent configured");
  if (g.status !== "running") throw fail(`VM ${vmid} is not running`);
  if (g.noGuestAgent || !g.agentAt || Date.now() < g.agentAt) throw fail("QEMU guest agent is not running");
  return g;
}

let nextPid = 1000;

/** Guest agent: exec, exec-status, ping, network-get-interfaces. */
export function qemuAgentRoutes(): Route[] {
  return [
    {
      method: "POST",
      path: "/nodes/{node}/qemu/{vmid}/agent/ping",
      handler: ({ world, params }) => {
        agentReady(world, int(params, "vmid")!);
        return { result: {} };
      },
    },
    {
      method: "GET",
      path: "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces",
      handler: ({ world, params }) => {
        const g = agentReady(world, int(params, "vmid")!);
        return {
          result: guestInterfaces(world, g).map((i) => ({
            name: i.name,
            "hardware-address": i.mac,
            "ip-addresses": [
              ...i.inet.map((a) => ({
                "ip-address": a.address,
                "ip-address-type": "ipv4",
                prefix: a.prefix,
              })),
              ...i.inet6.map((a) => ({
                "ip-address": a.address,
                "ip-address-type": "ipv6",
                prefix: a.prefix,
              })),
            ],
            statistics: {},
          })),
        };
      },
    },
    {
      method: "POST",
      path: "/nodes/{node}/qemu/{vmid}/agent/exec",
      handler: ({ world, params }) => {
        const g = agentReady(world, int(params, "vmid")!);
        const raw = params.command;
        const argv = Array.isArray(raw) ? raw.map(String) : [String(raw)];
        if (!argv.length || !argv[0])
          throw fail(
            "Agent error: Guest agent command failed, error was 'Failed to execute child process “” (No such file or directory)'",
          );
        const pid = ++nextPid;
        const rec: AgentExec = { pid, exited: false, out: "", err: "" };
        g.execs.set(pid, rec);
        const child = spawnInGuest(world, g, argv);
        child.stdout?.on("data", (d: Buffer) => {
          if (rec.out.length < MAX_OUT) rec.out += d.toString("utf8");
        });
        child.stderr?.on("data", (d: Buffer) => {
          if (rec.err.length < MAX_OUT) rec.err += d.toString("utf8");
        });
        child.on("error", (e) => {
          rec.exited = true;
          rec.exitcode = 127;
          rec.err += `${e.message}\n`;
        });
        child.on("exit", (code, signal) => {
          rec.exited = true;
          if (signal) rec.signal = 9;
          else rec.exitcode = code ?? 0;
        });
        const input = str(params, "input-data");
        if (input) child.stdin?.write(input);
        child.stdin?.end();
        return { pid };
      },
    },
    {
      method: "GET",
      path: "/nodes/{node}/qemu/{vmid}/agent/exec-status",
      handler: ({ world, params }) => {
        const g = agentReady(world, int(params, "vmid")!);
        const pid = int(params, "pid")!;
        const rec = g.execs.get(pid);
        if (!rec) throw fail(`Agent error: Invalid parameter 'pid'`);
        if (!rec.exited) return { exited: 0 };
        const out: Record<string, unknown> = { exited: 1 };
        if (rec.exitcode !== undefined) out.exitcode = rec.exitcode;
        if (rec.signal !== undefined) out.signal = rec.signal;
        if (rec.out) out["out-data"] = rec.out;
        if (rec.err) out["err-data"] = rec.err;
        return out;
      },
    },
  ];
}
