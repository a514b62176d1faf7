import { spawn } from "node:child_process";
import {
  bounded,
  checkNotAborted,
  OutputBuffer,
  prepareCommand,
  stopError,
  watchStop,
} from "./guest-command.ts";
import { pushThroughRun } from "./push-source.ts";
import {
  type CommandRunner,
  type PushSource,
  RunnerError,
  type RunOptions,
  type RunResult,
} from "./types.ts";

export interface PctRunnerOptions {
  vmid: number;
  /** The pct executable (default `pct` from PATH). */
  pctPath?: string;
  /** Environment of the pct process itself (default process.env); never reaches the guest. */
  processEnv?: NodeJS.ProcessEnv;
  /** How long a kill after a timeout or abort may take before giving up on it (default 5 s). */
  killTimeoutMs?: number;
}

// pct's own refusals (PVE-API.md §1 "LXC"): printed by pct before anything runs, exit 255.
const PCT_REFUSAL = /^(container '\d+' not running!|Configuration file '[^']*' does not exist)$/m;
const ATTACH_FAILURE = /^lxc-attach: .*Failed to exec /m;

/**
 * Runs commands in an LXC container with `pct exec <vmid> --keep-env 0 -- argv…` on the
 * Proxmox host, spawned with an argv array (no shell on the host). `--keep-env 0` keeps the
 * agent's own environment (its token among it) out of the container.
 */
export class PctRunner implements CommandRunner {
  readonly #vmid: string;
  readonly #pct: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #killTimeoutMs: number;

  constructor(opts: PctRunnerOptions) {
    if (!Number.isInteger(opts.vmid) || opts.vmid < 100) throw new Error(`invalid CT id ${opts.vmid}`);
    this.#vmid = String(opts.vmid);
    this.#pct = opts.pctPath ?? "pct";
    this.#env = opts.processEnv ?? process.env;
    this.#killTimeoutMs = opts.killTimeoutMs ?? 5000;
  }

  /** Runs argv in the container; pct's refusals reject with pct's own text. */
  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const cmd = prepareCommand(argv, opts.env);
    checkNotAborted(argv, opts);
    const stdout = new OutputBuffer(opts.maxOutputBytes);
    const stderr = new OutputBuffer(opts.maxOutputBytes);
    const child = spawn(this.#pct, this.#execArgs(cmd.argv), {
      env: this.#env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let killing: Promise<void> | undefined;
    const watch = watchStop(opts, () => {
      killing = (async () => {
        // The guest process outlives a killed pct (lxc-attach does not forward SIGKILL), so
        // kill it inside the container first, then the local pct.
        await bounded(this.#collect(this.#execArgs(cmd.killArgv)), this.#killTimeoutMs);
        child.kill("SIGKILL");
      })();
    });
    child.stdout.on("data", (c: Buffer) => {
      stdout.push(c);
      opts.onOutput?.("stdout", c);
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr.push(c);
      opts.onOutput?.("stderr", c);
    });
    child.stdin.on("error", () => {}); // EPIPE when the command ignores its stdin
    child.stdin.end(opts.input);
    return new Promise((resolve, reject) => {
      child.on("error", (err) => {
        watch.dispose();
        reject(new RunnerError(`cannot run ${this.#pct}: ${err.message}`));
      });
      child.on("close", async (code, signal) => {
        watch.dispose();
        if (watch.reason) {
          await killing;
          return reject(stopError(watch.reason, argv, opts, stdout, stderr));
        }
        const err = stderr.text();
        if (code === 255 && (PCT_REFUSAL.test(err) || ATTACH_FAILURE.test(err)))
          return reject(new RunnerError(err.trim()));
        if (code === null)
          return reject(new RunnerError(`pct exec ${this.#vmid} was killed by ${signal ?? "a signal"}`));
        resolve({
          exitCode: code,
          stdout: stdout.text(),
          stderr: err,
          truncated: stdout.truncated || stderr.truncated,
        });
      });
    });
  }

  /**
   * Writes content or a host file into the container with ONE `pct exec` (content on stdin,
   * parents created, written aside and renamed into place with its mode): `pct push` would
   * take three (mkdir, push, chmod: it keeps an existing file's mode), each a Perl start-up.
   */
  push(source: PushSource, guestPath: string, mode?: number): Promise<void> {
    return pushThroughRun((argv, o) => this.run(argv, o), source, guestPath, mode, {
      partBytes: 64 * 2 ** 20,
      base64: false,
    });
  }

  /** pct's arguments to run a guest argv. */
  #execArgs(argv: readonly string[]): string[] {
    return ["exec", this.#vmid, "--keep-env", "0", "--", ...argv];
  }

  /** Runs pct with args and collects its stderr and exit code. */
  #collect(args: readonly string[]): Promise<{ exitCode: number; stderr: string }> {
    return pctCommand(this.#pct, this.#env, args);
  }
}

/**
 * Runs `pct <args>` on the host (argv, no shell) and collects its exit code and stderr: for
 * pct's own subcommands (push, set), as opposed to commands in a container.
 */
export function pctCommand(
  pct: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[],
): Promise<{ exitCode: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(pct, [...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    const err = new OutputBuffer(64 * 1024);
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e) => reject(new RunnerError(`cannot run ${pct}: ${e.message}`)));
    child.on("close", (code) => resolve({ exitCode: code ?? 255, stderr: err.text() }));
  });
}
