import { z } from "zod";
import { TokenEngine } from "../proxmox/engine.ts";
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

/**
 * The one call the runner needs from the Proxmox client layer: proxmox-api's request shape,
 * which the agent's TokenEngine (packages/agent/src/proxmox/engine.ts) implements. PveClient
 * does not expose the guest-agent endpoints yet; once it does, an adapter replaces this.
 */
export interface PveRequester {
  doRequest(
    method: string,
    path: string,
    pathTemplate: string,
    params?: Record<string, unknown>,
  ): Promise<unknown>;
}

export interface GuestAgentRunnerOptions {
  /** A TokenEngine (or anything with its doRequest) for the node's API. */
  api: PveRequester;
  node: string;
  vmid: number;
  /** First poll of exec-status; grows ×1.5 up to maxPollMs (defaults 50 ms and 1 s). */
  pollMs?: number;
  maxPollMs?: number;
  /** How long a kill after a timeout or abort may take before giving up on it (default 5 s). */
  killTimeoutMs?: number;
}

// PVE-API.md §1: exec returns {pid}; exec-status has integer booleans and already decoded output.
const execAnswer = z.object({ pid: z.number().int() });
const flag = z.union([z.boolean(), z.number()]).transform((v) => v === true || v === 1);
const statusAnswer = z.object({
  exited: flag,
  exitcode: z.number().int().optional(),
  signal: z.number().int().optional(),
  "out-data": z.string().optional(),
  "err-data": z.string().optional(),
  "out-truncated": flag.optional(),
  "err-truncated": flag.optional(),
});

/** Proxmox refuses longer `input-data` (schema maxLength). */
const MAX_INPUT = 65536;

/**
 * Runs commands in a VM through the QEMU guest agent (`POST …/agent/exec` with `command` as an
 * array, then polls `exec-status`). Proxmox's errors (`QEMU guest agent is not running`, …)
 * are rethrown with their text unchanged.
 */
export class GuestAgentRunner implements CommandRunner {
  readonly #o: GuestAgentRunnerOptions;
  readonly #base: string;

  constructor(opts: GuestAgentRunnerOptions) {
    if (!Number.isInteger(opts.vmid) || opts.vmid < 100) throw new Error(`invalid VM id ${opts.vmid}`);
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(opts.node))
      throw new Error(`invalid node name ${opts.node}`);
    this.#o = opts;
    this.#base = `/api2/json/nodes/${opts.node}/qemu/${opts.vmid}/agent`;
  }

  /** A runner with its own TokenEngine for the API at origin (https://host:8006), CA-pinned. */
  static connect(opts: {
    origin: string;
    tokenId: string;
    tokenSecret: string;
    ca?: string | Buffer;
    node: string;
    vmid: number;
  }): GuestAgentRunner {
    const api = new TokenEngine({
      origin: opts.origin,
      tokenId: opts.tokenId,
      tokenSecret: opts.tokenSecret,
      ca: opts.ca,
    });
    return new GuestAgentRunner({ api, node: opts.node, vmid: opts.vmid });
  }

  /** Runs argv in the VM; the agent's and Proxmox's refusals reject with their own text. */
  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const cmd = prepareCommand(argv, opts.env);
    checkNotAborted(argv, opts);
    // input-data is a string parameter: binary stdin cannot cross it, UTF-8 text can.
    const input = opts.input === undefined ? undefined : opts.input.toString();
    if (input !== undefined && input.length > MAX_INPUT)
      throw new RunnerError(`stdin for the guest agent is limited to ${MAX_INPUT} characters`);
    const pid = await this.#exec(cmd.argv, input);
    const stdout = new OutputBuffer(opts.maxOutputBytes);
    const stderr = new OutputBuffer(opts.maxOutputBytes);
    const stop = new AbortController();
    const watch = watchStop(opts, () => stop.abort());
    try {
      let delay = this.#o.pollMs ?? 50;
      for (;;) {
        const s = await this.#status(pid);
        if (s.exited) {
          stdout.push(s["out-data"] ?? "");
          stderr.push(s["err-data"] ?? "");
          const exitCode = s.exitcode ?? 128 + (s.signal ?? 0);
          const truncated =
            stdout.truncated || stderr.truncated || !!s["out-truncated"] || !!s["err-truncated"];
          return { exitCode, stdout: stdout.text(), stderr: stderr.text(), truncated };
        }
        await sleep(delay, stop.signal);
        if (watch.reason) break;
        delay = Math.min(this.#o.maxPollMs ?? 1000, Math.ceil(delay * 1.5));
      }
      // The guest agent has no call to kill what it started, so kill it by its PID file.
      await bounded(this.#runKill(cmd.killArgv), this.#o.killTimeoutMs ?? 5000);
      throw stopError(watch.reason ?? "abort", argv, opts, stdout, stderr);
    } finally {
      watch.dispose();
    }
  }

  /** Writes a file in parts through base64 stdin (input-data carries text only). */
  push(source: PushSource, guestPath: string, mode?: number): Promise<void> {
    return pushThroughRun(this.run.bind(this), source, guestPath, mode, {
      partBytes: 32 * 1024,
      base64: true,
    });
  }

  async #runKill(argv: string[]): Promise<void> {
    const pid = await this.#exec(argv, undefined);
    for (let i = 0; i < 100; i++) {
      if ((await this.#status(pid)).exited) return;
      await sleep(50);
    }
  }

  async #exec(argv: string[], input: string | undefined): Promise<number> {
    const params: Record<string, unknown> = { command: argv };
    if (input) params["input-data"] = input;
    const answer = await this.#call("POST", "exec", params);
    return parse(execAnswer, answer, "exec").pid;
  }

  async #status(pid: number): Promise<z.infer<typeof statusAnswer>> {
    return parse(statusAnswer, await this.#call("GET", "exec-status", { pid }), "exec-status");
  }

  async #call(method: string, leaf: string, params: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.#o.api.doRequest(
        method,
        `${this.#base}/${leaf}`,
        `/nodes/{node}/qemu/{vmid}/agent/${leaf}`,
        params,
      );
    } catch (err) {
      // Proxmox's own text, unchanged (PveError messages already are).
      throw new RunnerError(err instanceof Error ? err.message : String(err), { cause: err });
    }
  }
}

function parse<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(data);
  if (!r.success)
    throw new RunnerError(`unexpected answer from agent/${what}: ${r.error.issues[0]?.message ?? ""}`);
  return r.data;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
