/** Options of one command run in a guest. */
export interface RunOptions {
  /** Written to the command's stdin, then stdin is closed (otherwise stdin is empty). */
  input?: string | Buffer;
  /** Kill the command after this long and reject with RunTimeoutError. */
  timeoutMs?: number;
  /** Kill the command when aborted and reject with RunAbortedError. */
  signal?: AbortSignal;
  /** Extra environment variables for the command (names must be shell-variable names). */
  env?: Record<string, string>;
  /** Cap per stream; output past it is dropped and `truncated` is set. Default 4 MiB. */
  maxOutputBytes?: number;
  /**
   * Called with each chunk of output as it arrives (before the cap applies), for commands that
   * stream (`docker logs --follow`). Transports that only return output at exit do not call it.
   */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
}

/** How a command ended. A non-zero exit is a result, not an error. */
export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Whether stdout or stderr went past maxOutputBytes and was cut. */
  truncated: boolean;
}

/** What `push` writes: literal content, or a file on the agent's host. */
export type PushSource = string | Buffer | { path: string };

/**
 * Runs argv in one guest (never through a shell the caller writes) and pushes files into it.
 * Implementations: PctRunner (`pct exec` on the host), SshRunner (pinned host key), and
 * GuestAgentRunner (QEMU guest agent through the Proxmox API).
 */
export interface CommandRunner {
  /** Runs argv in the guest; resolves with its exit code and output, rejects on transport errors. */
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Writes a file in the guest (parent directories created), atomically where the transport allows. */
  push(source: PushSource, guestPath: string, mode?: number): Promise<void>;
}

/** The transport or the guest refused to run the command; the message is its own text. */
export class RunnerError extends Error {
  override name = "RunnerError";
}

/** Output gathered before a command was killed. */
export interface PartialOutput {
  stdout: string;
  stderr: string;
}

/** The command ran past its timeout and was killed. */
export class RunTimeoutError extends Error {
  override name = "RunTimeoutError";
  constructor(
    message: string,
    readonly partial: PartialOutput,
  ) {
    super(message);
  }
}

/** The caller's AbortSignal fired and the command was killed. */
export class RunAbortedError extends Error {
  override name = "RunAbortedError";
  constructor(
    message: string,
    readonly partial: PartialOutput,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export const DEFAULT_MAX_OUTPUT = 4 * 2 ** 20;
