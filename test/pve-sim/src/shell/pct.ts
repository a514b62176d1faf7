import { createWriteStream } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { olderThan } from "../auth/pve9.ts";
import { applyConfig } from "../guests/config.ts";
import { type Guest, serializeConfig } from "../guests/guest.ts";
import { hasAddress, markRunning, markStopped } from "../guests/lifecycle.ts";
import { guestPath, spawnInGuest } from "../guests/sandbox.ts";
import type { World } from "../world.ts";
import { HostCommandError as PctError, type HostIo as PctIo } from "./host-io.ts";

function ct(world: World, vmid: string | undefined): Guest {
  if (!vmid || !/^\d+$/.test(vmid))
    throw new PctError("400 not enough arguments\npct <command> <vmid> [OPTIONS]");
  const g = world.guests.get(Number(vmid));
  if (g?.kind !== "lxc")
    throw new PctError(`Configuration file 'nodes/${world.node}/lxc/${vmid}.conf' does not exist`);
  return g;
}

function running(g: Guest): void {
  if (g.status !== "running") throw new PctError(`container '${g.vmid}' not running!`);
}

async function exec(world: World, args: string[], io: PctIo): Promise<number> {
  const g = ct(world, args[0]);
  // `pct exec <vmid> [--keep-env <bool>] [--] <argv…>`: without `--`, the words after the options.
  const dash = args.indexOf("--");
  // `--keep-env` came with pve-container 5.1 (PVE 8.2); older pct refuses the option.
  if (
    olderThan(world.pveVersion, "8.2") &&
    args.slice(0, dash >= 0 ? dash : undefined).includes("--keep-env")
  )
    throw new PctError(
      "Unknown option: keep-env\n400 unable to parse option\npct exec <vmid> [<extra-args>] [OPTIONS]",
    );
  let argv = dash >= 0 ? args.slice(dash + 1) : args.slice(1);
  if (dash < 0) while (argv[0] === "--keep-env") argv = argv.slice(2);
  running(g);
  const child = spawnInGuest(world, g, argv.length ? argv : ["/bin/bash"]);
  io.stdin.pipe(child.stdin!);
  child.stdin!.on("error", () => {});
  child.stdout!.pipe(io.stdout, { end: false });
  child.stderr!.pipe(io.stderr, { end: false });
  return new Promise((resolve) => {
    child.on("error", (err) => {
      io.stderr.write(
        `lxc-attach: ${g.vmid}: ../src/lxc/attach.c: lxc_attach_run_command: Failed to exec "${argv[0]}": ${err.message.includes("ENOENT") ? "No such file or directory" : err.message}\n`,
      );
      resolve(255);
    });
    child.on("close", (code, signal) => {
      io.stdin.unpipe(child.stdin!);
      resolve(signal ? 128 + 9 : (code ?? 0));
    });
  });
}

async function push(world: World, args: string[], io: PctIo): Promise<number> {
  const g = ct(world, args[0]);
  const [src, dst] = [args[1], args[2]];
  if (!src || !dst)
    throw new PctError("400 not enough arguments\npct push <vmid> <file> <destination> [OPTIONS]");
  running(g);
  const target = guestPath(world, g, dst);
  await mkdir(dirname(target), { recursive: true });
  // bin/host-command.cjs reads the file where pct runs and sends it as stdin ("-").
  if (src === "-") {
    await pipeline(io.stdin, createWriteStream(target));
    return 0;
  }
  try {
    await copyFile(src, target);
  } catch {
    throw new PctError(`unable to open file '${src}' - No such file or directory`);
  }
  return 0;
}

async function pull(world: World, args: string[], io: PctIo): Promise<number> {
  const g = ct(world, args[0]);
  const [path, dst] = [args[1], args[2]];
  if (!path || !dst)
    throw new PctError("400 not enough arguments\npct pull <vmid> <path> <destination> [OPTIONS]");
  running(g);
  let data: Buffer;
  try {
    data = await readFile(guestPath(world, g, path));
  } catch {
    throw new PctError(`failed to open ${path} for reading`);
  }
  // The caller writes the destination where pct runs (see bin/host-command.cjs).
  if (io.writeLocal) io.writeLocal(data);
  else await writeFile(dst, data);
  return 0;
}

/** Runs one `pct` command line against the simulated node; resolves to the exit code. */
export async function runPct(world: World, argv: string[], io: PctIo): Promise<number> {
  const [cmd, ...args] = argv;
  try {
    switch (cmd) {
      case "exec":
        return await exec(world, args, io);
      case "push":
        return await push(world, args, io);
      case "pull":
        return await pull(world, args, io);
      case "status": {
        const g = ct(world, args[0]);
        io.stdout.write(`status: ${g.status}\n`);
        return 0;
      }
      case "config": {
        const g = ct(world, args[0]);
        for (const k of Object.keys(g.config).sort()) io.stdout.write(`${k}: ${g.config[k]}\n`);
        return 0;
      }
      case "list": {
        io.stdout.write("VMID       Status     Lock         Name                \n");
        for (const g of [...world.guests.values()]
          .filter((x) => x.kind === "lxc")
          .sort((a, b) => a.vmid - b.vmid)) {
          io.stdout.write(
            `${String(g.vmid).padEnd(11)}${g.status.padEnd(11)}${(g.config.lock ?? "").padEnd(13)}${g.config.hostname ?? ""}\n`,
          );
        }
        return 0;
      }
      case "start": {
        const g = ct(world, args[0]);
        if (g.status === "running") throw new PctError(`CT ${g.vmid} already running`);
        world.checkLock(g);
        markRunning(world, g);
        return 0;
      }
      case "stop":
      case "shutdown": {
        const g = ct(world, args[0]);
        if (g.status !== "running") throw new PctError(`CT ${g.vmid} not running`);
        await markStopped(world, g);
        return 0;
      }
      case "set": {
        // `pct set <vmid> --key value …` runs as root@pam on the host: no permission checks
        // (so it may set CT features a token cannot), the same lock and config update as the API.
        const g = ct(world, args[0]);
        const params: Record<string, string> = {};
        for (let i = 1; i < args.length; i += 2) {
          const key = /^--([a-z][a-z0-9_-]*)$/.exec(args[i] ?? "")?.[1];
          const value = args[i + 1];
          if (!key || value === undefined)
            throw new PctError(`400 unable to parse option\npct set <vmid> [OPTIONS]`);
          params[key] = value;
        }
        await world.locks.with(g.vmid, "lxc", world.lockTimeout(), () => {
          world.checkLock(g);
          applyConfig(world, g, params);
        });
        // Real pct writes the new config into pmxcfs itself: the caller's host does that part.
        io.writeEtcPve?.(`nodes/${world.node}/lxc/${g.vmid}.conf`, serializeConfig(g.config));
        return 0;
      }
      case "ip": {
        const g = ct(world, args[0]);
        io.stdout.write(hasAddress(g) ? `${g.address}\n` : "");
        return 0;
      }
      default:
        io.stderr.write(`ERROR: unknown command 'pct ${cmd ?? ""}'\nUSAGE: pct <COMMAND> [ARGS] [OPTIONS]\n`);
        return 255;
    }
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    io.stderr.write(`${text.replace(/\n$/, "")}\n`);
    return 255;
  }
}
