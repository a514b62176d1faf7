import { type ChildProcess, spawn } from "node:child_process";
import { checkCommand, checkNotAborted, OutputBuffer, stopError, watchStop } from "./guest-command.ts";
import { PctRunner, type PctRunnerOptions } from "./pct.ts";
import { SESSION_SCRIPT } from "./pct-session-server.ts";
import { pushThroughRun } from "./push-source.ts";
import {
  type CommandRunner,
  type PushSource,
  RunnerError,
  type RunOptions,
  type RunResult,
} from "./types.ts";

const READY = "pylon-session 1";
/** The largest stdin part sent in one frame. */
const PART = 256 * 1024;

interface Pending {
  stdout: OutputBuffer;
  stderr: OutputBuffer;
  onOutput?: RunOptions["onOutput"];
  done(code: number): void;
  fail(err: Error): void;
}

/** One running `pct exec … perl -e SESSION_SCRIPT` and the commands in flight in it. */
class Session {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #buf = Buffer.alloc(0);
  #stderr = "";
  #nextId = 1;
  #ended: Error | undefined;
  readonly ready: Promise<boolean>;

  constructor(pct: string, env: NodeJS.ProcessEnv, vmid: string) {
    this.#child = spawn(pct, ["exec", vmid, "--keep-env", "0", "--", "perl", "-e", SESSION_SCRIPT], {
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let ready: (ok: boolean) => void = () => {};
    this.ready = new Promise((r) => {
      ready = r;
    });
    this.#child.stdin?.on("error", () => {});
    this.#child.stderr?.on("data", (d: Buffer) => {
      if (this.#stderr.length < 65_536) this.#stderr += d.toString("utf8");
    });
    this.#child.stdout?.on("data", (d: Buffer) => this.#read(d, ready));
    const end = (why: string) => {
      this.#ended ??= new RunnerError(`the pct exec session of CT ${vmid} ended (${why})${this.#tail()}`);
      ready(false);
      for (const p of this.#pending.values()) p.fail(this.#ended);
      this.#pending.clear();
    };
    this.#child.on("error", (err) => end(`cannot run ${pct}: ${err.message}`));
    this.#child.on("close", (code, signal) => end(signal ? `killed by ${signal}` : `exit ${code}`));
  }

  /** Whether the session ended (it is not reused then). */
  get ended(): boolean {
    return this.#ended !== undefined;
  }

  /** What pct printed, for a session that would not start. */
  get stderr(): string {
    return this.#stderr.trim();
  }

  #tail(): string {
    const t = this.stderr.split("\n").slice(-3).join("; ");
    return t ? `: ${t}` : "";
  }

  #read(data: Buffer, ready: (ok: boolean) => void): void {
    this.#buf = Buffer.concat([this.#buf, data]);
    while (this.#buf.length >= 9) {
      const type = this.#buf.readUInt8(0);
      const id = this.#buf.readUInt32BE(1);
      const len = this.#buf.readUInt32BE(5);
      if (this.#buf.length < 9 + len) return;
      const payload = this.#buf.subarray(9, 9 + len);
      this.#buf = this.#buf.subarray(9 + len);
      if (type === 9) {
        ready(payload.toString("utf8") === READY);
        continue;
      }
      const p = this.#pending.get(id);
      if (!p) continue;
      if (type === 1 || type === 2) {
        (type === 1 ? p.stdout : p.stderr).push(payload);
        p.onOutput?.(type === 1 ? "stdout" : "stderr", payload);
      } else if (type === 3) {
        this.#pending.delete(id);
        p.done(Number(payload.toString("utf8")));
      }
    }
  }

  #send(type: number, id: number, payload: Buffer = Buffer.alloc(0)): void {
    const head = Buffer.alloc(9);
    head.writeUInt8(type, 0);
    head.writeUInt32BE(id, 1);
    head.writeUInt32BE(payload.length, 5);
    this.#child.stdin?.write(Buffer.concat([head, payload]));
  }

  /** Starts one command; resolves with its exit code once all its output arrived. */
  start(
    argv: readonly string[],
    env: Record<string, string>,
    input: Buffer,
    p: Omit<Pending, "done" | "fail">,
  ) {
    if (this.#ended) throw this.#ended;
    const id = this.#nextId++;
    const exit = new Promise<number>((done, fail) => this.#pending.set(id, { ...p, done, fail }));
    const words = [String(argv.length), String(Object.keys(env).length), ...argv];
    for (const [k, v] of Object.entries(env)) words.push(`${k}=${v}`);
    this.#send(1, id, Buffer.from(words.join("\0"), "utf8"));
    for (let i = 0; i < input.length; i += PART) this.#send(2, id, input.subarray(i, i + PART));
    this.#send(3, id);
    return { exit, kill: () => this.#send(4, id) };
  }

  /** Ends the session: the program in the CT exits and kills what still runs. */
  close(): void {
    this.#child.stdin?.end();
  }
}

/**
 * Runs commands in an LXC container through ONE `pct exec` per session instead of one per
 * command (see pct-session-server.ts): each command still gets argv (no shell), its own
 * environment, stdin, output, exit code, timeout and abort. Falls back to PctRunner's `pct
 * exec` per command when the CT has no perl. A session that ends (the CT restarted) is
 * replaced by a new one on the next command. Close it when done.
 */
export class PctSessionRunner implements CommandRunner {
  readonly #opts: PctRunnerOptions;
  readonly #fallback: PctRunner;
  #session: Session | undefined;
  #usable: Promise<Session | undefined> | undefined;
  #noPerl = false;

  constructor(opts: PctRunnerOptions) {
    this.#opts = opts;
    this.#fallback = new PctRunner(opts);
  }

  /** The live session, starting one if needed; undefined when the CT cannot run one (no perl). */
  async #open(): Promise<Session | undefined> {
    if (this.#noPerl) return undefined;
    if (this.#session?.ended) {
      this.#session = undefined;
      this.#usable = undefined;
    }
    this.#usable ??= (async () => {
      const s = new Session(
        this.#opts.pctPath ?? "pct",
        this.#opts.processEnv ?? process.env,
        String(this.#opts.vmid),
      );
      this.#session = s;
      if (await s.ready) return s;
      // perl missing (exit 127 / lxc-attach could not exec it): one pct exec per command instead.
      if (/perl|not found|No such file/i.test(s.stderr) && !/not running|does not exist/.test(s.stderr)) {
        this.#noPerl = true;
        return undefined;
      }
      this.#usable = undefined;
      throw new RunnerError(s.stderr || `cannot start a pct exec session in CT ${this.#opts.vmid}`);
    })();
    return this.#usable;
  }

  /** Runs argv in the container; the CT's own refusals reject with pct's text. */
  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    checkCommand(argv, opts.env);
    checkNotAborted(argv, opts);
    const session = await this.#open();
    if (!session) return this.#fallback.run(argv, opts);
    const stdout = new OutputBuffer(opts.maxOutputBytes);
    const stderr = new OutputBuffer(opts.maxOutputBytes);
    const input = opts.input === undefined ? Buffer.alloc(0) : Buffer.from(opts.input);
    const cmd = session.start(argv, opts.env ?? {}, input, { stdout, stderr, onOutput: opts.onOutput });
    const watch = watchStop(opts, () => cmd.kill());
    try {
      const exitCode = await cmd.exit;
      if (watch.reason) throw stopError(watch.reason, argv, opts, stdout, stderr);
      return {
        exitCode,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
      };
    } finally {
      watch.dispose();
    }
  }

  /** Writes a file in the container with one command (content on stdin, renamed into place). */
  push(source: PushSource, guestPath: string, mode?: number): Promise<void> {
    return pushThroughRun((argv, o) => this.run(argv, o), source, guestPath, mode, {
      partBytes: 64 * 2 ** 20,
      base64: false,
    });
  }

  /** Ends the session (commands still running in it are killed). */
  close(): void {
    this.#session?.close();
    this.#session = undefined;
    this.#usable = undefined;
  }
}
