import { masker } from "../../jobs/secret-mask.ts";
import type { JobContext } from "../../jobs/types.ts";
import type { RunOptions } from "../../runners/types.ts";
import { LineSplitter } from "./line-splitter.ts";

/** Lines of one command shown in the job log; the rest is summarised in one line. */
export const MAX_LIVE_LINES = 2000;

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
  const mask = masker(secrets);
  let shown = 0;
  let chain: Promise<void> = Promise.resolve();
  const split = new LineSplitter(
    (raw, cut) => {
      let line = raw.trimEnd();
      if (!line) return;
      shown++;
      if (shown > MAX_LIVE_LINES) return;
      line = mask(line);
      if (cut) line = `${line}…`;
      const text = shown === MAX_LIVE_LINES ? `${label}: further output not shown` : `${label}: ${line}`;
      chain = chain.then(() => ctx.log("info", text)).catch(() => {});
    },
    { carriageReturns: true },
  );
  return {
    onOutput: (stream, chunk) => split.push(stream, chunk),
    async done() {
      split.end();
      await chain;
    },
  };
}
