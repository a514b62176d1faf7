import type { PveClient } from "./client.ts";

/** How a Proxmox task ended successfully. */
export interface TaskOutcome {
  upid: string;
  exitstatus: string;
  warnings: number;
}

/** A task that stopped with an error; the message is the task's own `TASK ERROR:` text. */
export class TaskFailedError extends Error {
  override name = "TaskFailedError";
  constructor(
    message: string,
    readonly upid: string,
    readonly exitstatus: string,
  ) {
    super(message);
  }
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** First poll delay; grows ×1.5 up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Polls a task's status until it stops. `OK` and `WARNINGS: N` are successes; anything else
 * throws TaskFailedError with the last `TASK ERROR:` line of the log (or the exitstatus).
 * Rejects with the signal's reason when aborted; the Proxmox task itself keeps running.
 */
export async function waitForTask(
  pve: PveClient,
  upid: string,
  opts: WaitOptions = {},
): Promise<TaskOutcome> {
  let delay = opts.intervalMs ?? 200;
  const maxDelay = opts.maxIntervalMs ?? 2000;
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const status = await pve.taskStatus(upid);
    if (status.status === "stopped") {
      const exitstatus = status.exitstatus ?? "unknown";
      if (exitstatus === "OK") return { upid, exitstatus, warnings: 0 };
      const warn = /^WARNINGS: (\d+)$/.exec(exitstatus);
      if (warn) return { upid, exitstatus, warnings: Number(warn[1]) };
      throw new TaskFailedError(await taskErrorText(pve, upid, exitstatus), upid, exitstatus);
    }
    await sleep(delay, opts.signal);
    delay = Math.min(maxDelay, Math.ceil(delay * 1.5));
  }
}

/** The text after the last `TASK ERROR:` in the task log, else the exitstatus. */
async function taskErrorText(pve: PveClient, upid: string, exitstatus: string): Promise<string> {
  try {
    const lines = await pve.taskLog(upid, 0, 500);
    for (let i = lines.length - 1; i >= 0; i--) {
      const m = /^TASK ERROR: (.*)$/s.exec(lines[i] ?? "");
      if (m?.[1]) return m[1].trim();
    }
  } catch {
    // The exitstatus already carries the error text; the log only adds precision.
  }
  return exitstatus;
}
