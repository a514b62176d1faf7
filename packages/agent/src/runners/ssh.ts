import { constants } from "node:os";
import { shellJoin } from "@pylon/shared/shell/quote";
import ssh2 from "ssh2";
import {
  bounded,
  checkNotAborted,
  OutputBuffer,
  prepareCommand,
  stopError,
  watchStop,
} from "./guest-command.ts";
import { fingerprintOf, HostKeyMismatchError, type Pin, parsePin } from "./host-key.ts";
import { pushThroughRun } from "./push-source.ts";
import {
  type CommandRunner,
  type PushSource,
  RunnerError,
  type RunOptions,
  type RunResult,
} from "./types.ts";

export interface SshRunnerOptions {
  host: string;
  port?: number;
  username: string;
  /** OpenSSH or PEM private key; the only authentication tried. */
  privateKey: string | Buffer;
  passphrase?: string;
  /** The pinned host key: an OpenSSH public key line (preferred) or a `SHA256:` fingerprint. */
  hostKey: string;
  readyTimeoutMs?: number;
  /** How long a kill after a timeout or abort may take before giving up on it (default 5 s). */
  killTimeoutMs?: number;
}

/**
 * Runs commands over SSH (ssh2, pure JS) with key authentication only and a pinned host key:
 * any other key is refused before authenticating. The remote command line is built only by
 * shellJoin, from a constant wrapper and the caller's argv. One connection, opened on first
 * use and reopened after it drops; `close()` ends it.
 */
export class SshRunner implements CommandRunner {
  readonly #o: SshRunnerOptions;
  readonly #pin: Pin;
  #conn: Promise<ssh2.Client> | undefined;

  constructor(opts: SshRunnerOptions) {
    this.#o = opts;
    this.#pin = parsePin(opts.hostKey);
  }

  /** Runs argv on the host; transport failures (host key, auth, network) reject. */
  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const cmd = prepareCommand(argv, opts.env);
    checkNotAborted(argv, opts);
    const stdout = new OutputBuffer(opts.maxOutputBytes);
    const stderr = new OutputBuffer(opts.maxOutputBytes);
    // The timeout covers connecting too; a stop before the channel opens runs nothing.
    let onStop = () => {};
    const watch = watchStop(opts, () => onStop());
    let conn: ssh2.Client;
    let stream: ssh2.ClientChannel;
    try {
      conn = await this.#connect();
      if (watch.reason) throw stopError(watch.reason, argv, opts, stdout, stderr);
      stream = await new Promise<ssh2.ClientChannel>((resolve, reject) =>
        conn.exec(shellJoin(cmd.argv), (err, ch) =>
          err ? reject(new RunnerError(err.message)) : resolve(ch),
        ),
      );
    } catch (err) {
      watch.dispose();
      throw err;
    }
    const killMs = this.#o.killTimeoutMs ?? 5000;
    let closed = false;
    let onClosed = () => {};
    const channelClosed = new Promise<void>((resolve) => {
      onClosed = resolve;
    });
    onStop = () => {
      void (async () => {
        // Closing the channel does not stop the remote process (sshd only closes its pipes),
        // so kill it by its PID file on a second channel first.
        await bounded(this.#exec(conn, cmd.killArgv), killMs);
        stream.signal("KILL");
        stream.close();
        // A dead peer never confirms the close; do not hang the caller on it.
        await bounded(channelClosed, killMs);
        if (!closed) onClosed();
      })();
    };
    if (watch.reason) onStop();
    let exit: { code: number | null; signal?: string } | undefined;
    stream.on("exit", (code: number | null, signal?: string) => {
      exit = { code, signal };
    });
    stream.on("data", (c: Buffer) => {
      stdout.push(c);
      opts.onOutput?.("stdout", c);
    });
    stream.stderr.on("data", (c: Buffer) => {
      stderr.push(c);
      opts.onOutput?.("stderr", c);
    });
    stream.on("close", () => {
      closed = true;
      onClosed();
    });
    stream.end(opts.input);
    return new Promise((resolve, reject) => {
      const finish = () => {
        watch.dispose();
        if (watch.reason) return reject(stopError(watch.reason, argv, opts, stdout, stderr));
        if (!exit)
          return reject(new RunnerError(`${this.#where()}: connection closed before the command exited`));
        const exitCode = exit.code ?? 128 + signalNumber(exit.signal);
        resolve({
          exitCode,
          stdout: stdout.text(),
          stderr: stderr.text(),
          truncated: stdout.truncated || stderr.truncated,
        });
      };
      // The channel closes when the command ends: by itself, or because the kill script took
      // down its process tree (children before the wrapper), or when the kill gave up.
      void channelClosed.then(finish);
    });
  }

  /** Writes a file through `cat` on stdin into a temporary file that is then renamed into place. */
  push(source: PushSource, guestPath: string, mode?: number): Promise<void> {
    return pushThroughRun(this.run.bind(this), source, guestPath, mode, {
      partBytes: 2 ** 30,
      base64: false,
    });
  }

  /** Ends the connection (a later run opens a new one). */
  async close(): Promise<void> {
    const pending = this.#conn;
    this.#conn = undefined;
    if (!pending) return;
    const conn = await pending.catch(() => undefined);
    if (!conn) return;
    await new Promise<void>((resolve) => {
      conn.once("close", () => resolve());
      conn.end();
    });
  }

  #where(): string {
    return `${this.#o.username}@${this.#o.host}:${this.#o.port ?? 22}`;
  }

  /** Runs a constant helper argv on its own channel and waits for it to end. */
  #exec(conn: ssh2.Client, argv: string[]): Promise<void> {
    return new Promise((resolve, reject) =>
      conn.exec(shellJoin(argv), (err, ch) => {
        if (err) return reject(err);
        ch.on("close", () => resolve());
        ch.resume();
        ch.stderr.resume();
        ch.end();
      }),
    );
  }

  #connect(): Promise<ssh2.Client> {
    if (this.#conn) return this.#conn;
    const attempt = new Promise<ssh2.Client>((resolve, reject) => {
      const conn = new ssh2.Client();
      let mismatch: string | undefined;
      conn.on("ready", () => resolve(conn));
      conn.on("error", (err) => {
        if (this.#conn === attempt) this.#conn = undefined;
        reject(
          mismatch ? new HostKeyMismatchError(mismatch) : new RunnerError(`${this.#where()}: ${err.message}`),
        );
      });
      conn.on("close", () => {
        if (this.#conn === attempt) this.#conn = undefined;
        reject(new RunnerError(`${this.#where()}: connection closed`));
      });
      conn.connect({
        host: this.#o.host,
        port: this.#o.port ?? 22,
        username: this.#o.username,
        privateKey: this.#o.privateKey,
        passphrase: this.#o.passphrase,
        tryKeyboard: false,
        readyTimeout: this.#o.readyTimeoutMs ?? 20_000,
        algorithms: this.#pin.algorithms ? { serverHostKey: this.#pin.algorithms } : undefined,
        hostVerifier: (key: Buffer) => {
          const got = fingerprintOf(key);
          if (got === this.#pin.fingerprint) return true;
          mismatch =
            `host key of ${this.#o.host}:${this.#o.port ?? 22} does not match the pinned key ` +
            `(expected ${this.#pin.fingerprint}, got ${got}); refusing to connect`;
          return false;
        },
      });
    });
    this.#conn = attempt;
    return attempt;
  }
}

/** The number of a signal name as SSH reports it (`KILL`), for a shell-style 128+n exit code. */
function signalNumber(name: string | undefined): number {
  const signals: Record<string, number | undefined> = constants.signals;
  return (name && signals[`SIG${name}`]) || 0;
}
