import { randomUUID } from "node:crypto";
import { DEFAULT_MAX_OUTPUT, RunAbortedError, type RunOptions, RunTimeoutError } from "./types.ts";

// Every command runs under a constant /bin/sh script that records its PID in a file, then runs
// the caller's argv as "$@" (positional parameters are never re-parsed by the shell). The PID
// file is what lets a timeout or an abort kill the command for real: killing `pct exec`
// (lxc-attach), an SSH channel or a guest-agent poll leaves the guest process running, and
// the guest agent has no kill call at all. Environment variables are exported by the script
// from NAME=VALUE words, so no `env` binary can mistake a command containing `=` for one.
//
// A kill can race the wrapper's start (a timeout shorter than `pct exec` takes to attach, or
// the kill's own exec overtaking the command's). So the kill first leaves a "$f.stop" mark,
// then reads the PID file; the wrapper first writes the PID file, then checks the mark. Each
// writes before it reads, so at least one of them sees the other: the command never starts,
// or it is killed.
const RUN_SCRIPT =
  'f=$1; shift; while [ "$1" != -- ]; do export "$1"; shift; done; shift; ' +
  '{ echo $$ >"$f"; } 2>/dev/null; if [ -e "$f.stop" ]; then rm -f "$f" "$f.stop"; exit 137; fi; ' +
  '"$@"; s=$?; rm -f "$f"; exit $s';

// Stops the recorded process and its descendants, each stopped before its children are listed
// so none can fork away (children from /proc, or pgrep where the kernel lacks that file).
const KILL_SCRIPT =
  ': 2>/dev/null >"$1.stop"; p=$(cat "$1" 2>/dev/null) || exit 0; rm -f "$1" "$1.stop"; ' +
  'case $p in ""|*[!0-9]*) exit 0;; esac; ' +
  't() { kill -STOP "$1" 2>/dev/null; ' +
  'for c in $(cat /proc/"$1"/task/*/children 2>/dev/null || pgrep -P "$1" 2>/dev/null); do t "$c"; done; ' +
  'kill -KILL "$1" 2>/dev/null; }; t "$p"; exit 0';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One prepared guest command: the argv to send and how to kill it. */
export interface GuestCommand {
  argv: string[];
  killArgv: string[];
}

/** Checks argv (a program, no NUL bytes) and env (shell-variable names, no NUL bytes). */
export function checkCommand(argv: readonly string[], env: Record<string, string> = {}): void {
  if (argv.length === 0 || !argv[0]) throw new Error("a command needs at least a program name");
  for (const a of argv) {
    if (typeof a !== "string") throw new Error(`command arguments must be strings, got ${typeof a}`);
    if (a.includes("\0")) throw new Error("a command argument contains a NUL byte");
  }
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) throw new Error(`'${name}' is not a valid environment variable name`);
    if (value.includes("\0")) throw new Error(`environment variable ${name} contains a NUL byte`);
  }
}

/** Checks argv and env, and wraps argv so the command can be killed later by its PID file. */
export function prepareCommand(argv: readonly string[], env: Record<string, string> = {}): GuestCommand {
  checkCommand(argv, env);
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  const pidFile = `/tmp/pylon-run-${randomUUID()}.pid`;
  return {
    argv: ["/bin/sh", "-c", RUN_SCRIPT, "pylon-run", pidFile, ...assignments, "--", ...argv],
    killArgv: ["/bin/sh", "-c", KILL_SCRIPT, "pylon-kill", pidFile],
  };
}

/** Collects one output stream up to a byte cap, decoding UTF-8 only at the end. */
export class OutputBuffer {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  truncated = false;

  constructor(readonly max: number = DEFAULT_MAX_OUTPUT) {}

  /** Appends a chunk, dropping what goes past the cap. */
  push(chunk: Buffer | string): void {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    const room = this.max - this.#size;
    if (buf.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = buf.length > room ? buf.subarray(0, room) : buf;
    this.#chunks.push(part);
    this.#size += part.length;
  }

  /** The collected text. */
  text(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }
}

export type StopReason = "timeout" | "abort";

/** A timeout and an abort signal folded into one callback, fired at most once. */
export interface StopWatch {
  /** Why the command was stopped, once it was. */
  readonly reason: StopReason | undefined;
  dispose(): void;
}

/** Calls onStop once when opts.timeoutMs passes or opts.signal aborts (at once if already aborted). */
export function watchStop(opts: RunOptions, onStop: (reason: StopReason) => void): StopWatch {
  let reason: StopReason | undefined;
  let timer: NodeJS.Timeout | undefined;
  const fire = (r: StopReason) => {
    if (reason) return;
    reason = r;
    dispose();
    onStop(r);
  };
  const onAbort = () => fire("abort");
  const dispose = () => {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  };
  if (opts.timeoutMs !== undefined) timer = setTimeout(() => fire("timeout"), opts.timeoutMs);
  if (opts.signal?.aborted) queueMicrotask(onAbort);
  else opts.signal?.addEventListener("abort", onAbort, { once: true });
  return {
    get reason() {
      return reason;
    },
    dispose,
  };
}

/** Throws RunAbortedError, before anything runs, when the caller's signal has already fired. */
export function checkNotAborted(argv: readonly string[], opts: RunOptions): void {
  if (opts.signal?.aborted)
    throw new RunAbortedError(
      `${argv[0] ?? "command"} was aborted before it started`,
      { stdout: "", stderr: "" },
      opts.signal.reason,
    );
}

/** The error for a command stopped by its timeout or its caller's signal. */
export function stopError(
  reason: StopReason,
  argv: readonly string[],
  opts: RunOptions,
  stdout: OutputBuffer,
  stderr: OutputBuffer,
): Error {
  const partial = { stdout: stdout.text(), stderr: stderr.text() };
  const what = argv[0] ?? "command";
  return reason === "timeout"
    ? new RunTimeoutError(`${what} timed out after ${opts.timeoutMs} ms and was killed`, partial)
    : new RunAbortedError(`${what} was aborted and killed`, partial, opts.signal?.reason);
}

/** Bounds a best-effort cleanup so a dead transport cannot hang the caller. */
export async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  if (timer) clearTimeout(timer);
}

/** Slices of content small enough for one command's stdin or input-data (one empty slice for empty content). */
export function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
  if (data.length === 0) yield data;
}

// Writes stdin to "$1" through a temporary file beside it, so a reader never sees half a file;
// parents are created (before the umask, so they stay traversable). "$2" is the octal mode and
// marks the last part (chmod + rename); "$3" = append for the later parts of a chunked push;
// "$4" = base64 when the transport carries text only (guest agent input-data).
export const WRITE_SCRIPT =
  'set -e; mkdir -p -- "$(dirname -- "$1")"; umask 077; t="$1.pylon-part"; ' +
  'if [ "$4" = base64 ]; then r="base64 -d"; else r=cat; fi; ' +
  'if [ "$3" = append ]; then $r >>"$t"; else $r >"$t"; fi; ' +
  'if [ -n "$2" ]; then chmod -- "$2" "$t"; mv -f -- "$t" "$1"; fi';

/** argv that writes one part of a pushed file from stdin (see WRITE_SCRIPT). */
export function writeArgv(guestPath: string, mode: string, append: boolean, base64: boolean): string[] {
  if (!guestPath.startsWith("/") || guestPath.endsWith("/") || guestPath.includes("\0"))
    throw new Error(`guest path must be an absolute file path: '${guestPath}'`);
  return [
    "/bin/sh",
    "-c",
    WRITE_SCRIPT,
    "pylon-push",
    guestPath,
    mode,
    append ? "append" : "new",
    base64 ? "base64" : "raw",
  ];
}

/** The octal text of a file mode (default 0644), refusing anything but permission bits. */
export function modeText(mode = 0o644): string {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new Error(`invalid file mode ${mode}`);
  return mode.toString(8).padStart(4, "0");
}
