import { type AppLogsResult, jsonBytes } from "@pylon/shared/protocol/index";
import { type JobContext, JobError, type JobHandler, wasCancelled } from "../../jobs/types.ts";
import { type CommandRunner, RunTimeoutError } from "../../runners/types.ts";
import { currentAddress } from "./address.ts";
import { openRunner } from "./connect.ts";
import { apiFor } from "./context.ts";
import { type Target, targetOf } from "./diagnostics.ts";
import { LineSplitter } from "./line-splitter.ts";
import { depsOrFail, step } from "./manage.ts";

/** A followed log stream ends by itself after this long (the client may open a new one). */
export const MAX_FOLLOW_MS = 60 * 60_000;
/** Lines per second passed on while following; the rest are dropped and counted. */
export const MAX_LINES_PER_SECOND = 100;
/** Lines that may pass at once beyond the tail (a short burst of output). */
const BURST_LINES = 500;
/** One log event carries at most this much text (the protocol allows 16 000 characters). */
const MAX_BATCH_CHARS = 12_000;
/** How often gathered lines are sent while following. */
const FLUSH_MS = 200;
/**
 * Without follow: at most this much of the newest output is returned, counted as encoded for the
 * link (a control character takes six bytes there; a frame is at most 1 MiB).
 */
export const MAX_LOG_BYTES = 512 * 1024;

/**
 * The fixed argv that prints (and with follow, keeps printing) the app's container logs, each
 * line with the time Docker recorded it (`--timestamps`: "<RFC 3339 nano> <line>", after
 * compose's "<container>  | " prefix), so a reader sees when a line was written, not received.
 */
export function logsCommand(target: Target, tail: number, follow: boolean): string[] {
  const opts = ["--timestamps", "--tail", String(tail), ...(follow ? ["--follow"] : [])];
  return "compose" in target
    ? [...target.compose, "logs", "--no-color", ...opts]
    : ["docker", "logs", ...opts, target.container];
}

/**
 * Sends followed lines as `log` events, batched every {@link FLUSH_MS} and rate limited (token
 * bucket: the tail plus a burst at once, then {@link MAX_LINES_PER_SECOND}); dropped lines are
 * counted and reported once per batch.
 */
export class LogRelay {
  #batch: string[] = [];
  #chars = 0;
  #tokens: number;
  #last = Date.now();
  #droppedSinceFlush = 0;
  dropped = 0;
  #sending: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout;

  constructor(
    private readonly ctx: JobContext,
    tail: number,
  ) {
    this.#tokens = tail + BURST_LINES;
    this.#timer = setInterval(() => this.flush(), FLUSH_MS);
  }

  line(text: string): void {
    const now = Date.now();
    this.#tokens = Math.min(
      Math.max(this.#tokens, BURST_LINES),
      this.#tokens + ((now - this.#last) / 1000) * MAX_LINES_PER_SECOND,
    );
    this.#last = now;
    if (this.#tokens < 1) {
      this.dropped++;
      this.#droppedSinceFlush++;
      return;
    }
    this.#tokens--;
    if (this.#chars + text.length + 1 > MAX_BATCH_CHARS) this.flush();
    this.#batch.push(text);
    this.#chars += text.length + 1;
  }

  /** Queues what was gathered as one event (events go out in order). */
  flush(): void {
    const lines = this.#batch;
    const dropped = this.#droppedSinceFlush;
    this.#batch = [];
    this.#chars = 0;
    this.#droppedSinceFlush = 0;
    if (lines.length === 0 && dropped === 0) return;
    const ctx = this.ctx;
    this.#sending = this.#sending.then(async () => {
      if (lines.length) await ctx.log("info", lines.join("\n"));
      if (dropped)
        await ctx.log(
          "warn",
          `${dropped} lines dropped (more than ${MAX_LINES_PER_SECOND} lines per second)`,
        );
    });
  }

  /** Sends what is left and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.flush();
    await this.#sending;
  }
}

/** Keeps the newest lines within a budget of encoded (JSON) bytes. */
export function newest(lines: string[], maxBytes: number): string[] {
  let bytes = 0;
  let i = lines.length;
  while (i > 0) {
    const size = jsonBytes(lines[i - 1] ?? "") + 1;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i--;
  }
  return lines.slice(i);
}

/**
 * `app.logs`: the app's container logs from a fixed command. Without follow, the last lines as
 * the result. With follow, the tail and then each new line as `log` events until the job is
 * cancelled (the command is killed in the guest) or {@link MAX_FOLLOW_MS} passes.
 */
export const appLogs: JobHandler<"app.logs"> = {
  kind: "app.logs",
  async run({ vmid, type, follow, tail }, ctx): Promise<AppLogsResult> {
    const deps = depsOrFail("logs");
    // A stream interrupted by an agent restart is not picked up again: its client has gone too.
    if (ctx.resumed && follow)
      throw new JobError("the agent restarted while following the logs; open the log stream again", "logs");
    const api = apiFor(ctx, deps);
    return step(ctx, "logs", async () => {
      const config = await api.config(type, vmid);
      const appName = String((type === "lxc" ? config.hostname : config.name) ?? "");
      if (!/^[a-z0-9-]{1,63}$/.test(appName)) throw new JobError(`guest ${vmid} has no app name`, "logs");
      const address = type === "qemu" ? await currentAddress(api, type, vmid) : null;
      const open = await openRunner(deps, { type, vmid, address });
      try {
        const target = await targetOf(open.runner, `${deps.appsBase}/${appName}`, appName);
        const argv = logsCommand(target, tail, follow);
        return follow
          ? await followLogs(ctx, open.runner, argv, tail)
          : await lastLines(ctx, open.runner, argv);
      } finally {
        await open.close();
      }
    });
  },
};

/** The last lines, as the result. */
async function lastLines(ctx: JobContext, runner: CommandRunner, argv: string[]): Promise<AppLogsResult> {
  const lines: string[] = [];
  const split = new LineSplitter((l) => lines.push(l));
  const r = await runner.run(argv, {
    timeoutMs: 60_000,
    signal: ctx.signal,
    maxOutputBytes: 64 * 1024,
    onOutput: (s, c) => split.push(s, c),
  });
  split.end();
  if (r.exitCode !== 0 && lines.length === 0)
    throw new JobError(`${argv.slice(0, 3).join(" ")} exited ${r.exitCode}`, "logs");
  return { lines: newest(lines, MAX_LOG_BYTES) };
}

/** The tail, then each new line as `log` events until cancelled, the command ends or time runs out. */
async function followLogs(
  ctx: JobContext,
  runner: CommandRunner,
  argv: string[],
  tail: number,
): Promise<AppLogsResult> {
  const relay = new LogRelay(ctx, tail);
  const split = new LineSplitter((l) => relay.line(l));
  let ended: AppLogsResult["ended"] = "exited";
  try {
    await runner.run(argv, {
      timeoutMs: MAX_FOLLOW_MS,
      signal: ctx.signal,
      // Output is passed on as it comes; only a little is kept for the result.
      maxOutputBytes: 64 * 1024,
      onOutput: (s, c) => split.push(s, c),
    });
  } catch (err) {
    if (err instanceof RunTimeoutError) ended = "time_limit";
    else if (!wasCancelled(ctx.signal)) throw err;
  } finally {
    split.end();
    await relay.close();
  }
  // A cancel (the reader went away) kills the command in the guest. Closing a log view is not a
  // failure, nor a cancelled piece of work: the job succeeds, saying the reader closed it.
  if (wasCancelled(ctx.signal)) return { lines: [], ended: "closed" };
  if (relay.dropped) await ctx.log("warn", `${relay.dropped} lines were dropped in all`);
  return { lines: [], ended, ...(relay.dropped ? { dropped: relay.dropped } : {}) };
}
