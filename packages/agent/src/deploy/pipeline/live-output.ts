import type { JobContext } from "../../jobs/types.ts";
import type { RunOptions } from "../../runners/types.ts";

/** Lines of one command shown in the job log; the rest is summarised in one line. */
export const MAX_LIVE_LINES = 2000;
/** A line longer than this is cut (a progress bar without newlines must not grow forever). */
const MAX_LINE = 4000;
const MASK = "••••••";

/**
 * Streams a command's output into the job log line by line as it arrives (docker pull, git
 * clone, docker build), so a user watching the deploy sees what runs. Values of the app's
 * secrets are masked; carriage-return progress lines count as lines; at most MAX_LIVE_LINES.
 * `done()` flushes the last partial lines and waits until every line is logged.
 */
export function liveOutput(
  ctx: Pick<JobContext, "log">,
  label: string,
  secrets: readonly string[] = [],
): { onOutput: NonNullable<RunOptions["onOutput"]>; done(): Promise<void> } {
  const masks = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  const partial = { stdout: "", stderr: "" };
  let shown = 0;
  let chain: Promise<void> = Promise.resolve();
  const emit = (raw: string) => {
    let line = raw.trimEnd();
    if (!line) return;
    shown++;
    if (shown > MAX_LIVE_LINES) return;
    for (const m of masks) line = line.split(m).join(MASK);
    if (line.length > MAX_LINE) line = `${line.slice(0, MAX_LINE)}…`;
    const text = shown === MAX_LIVE_LINES ? `${label}: further output not shown` : `${label}: ${line}`;
    chain = chain.then(() => ctx.log("info", text)).catch(() => {});
  };
  return {
    onOutput(stream, chunk) {
      const parts = (partial[stream] + chunk.toString("utf8")).split(/\r\n|\n|\r/);
      partial[stream] = parts.pop() ?? "";
      if (partial[stream].length > MAX_LINE) {
        emit(partial[stream]);
        partial[stream] = "";
      }
      for (const p of parts) emit(p);
    },
    async done() {
      emit(partial.stdout);
      emit(partial.stderr);
      partial.stdout = partial.stderr = "";
      await chain;
    },
  };
}
