// An app's container logs, read by an app.logs job on the node's agent: the last lines, or a
// followed stream whose job runs until the reader goes away (then it is cancelled).
import { appLogsResultSchema } from "@pylon/shared";
import type { AppRow, JobEventRow, JobRow } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { createJob, getJob, isFinal, type JobOrigin } from "./jobs.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey">;

/** Queues the app.logs job for an app that has a guest. */
export async function startLogsJob(
  deps: Deps,
  row: AppRow,
  opts: { follow: boolean; tail: number },
  origin: JobOrigin,
): Promise<JobRow> {
  if (row.vmid === null)
    throw new ApiError("conflict", `App '${row.name}' has no guest yet (status ${row.status})`);
  if (row.status === "deleting") throw new ApiError("conflict", `App '${row.name}' is being deleted`);
  return createJob(deps, {
    nodeId: row.nodeId,
    kind: "app.logs",
    params: { appId: row.id, vmid: row.vmid, type: row.guestType, follow: opts.follow, tail: opts.tail },
    origin,
  });
}

/** Waits (up to `waitMs`) for a non-following logs job and returns its lines. */
export async function logLines(deps: Deps, jobId: string, waitMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  let wake: (() => void) | undefined;
  const unsubscribe = deps.bus.subscribe((change) => {
    if (change.jobId === jobId) wake?.();
  });
  try {
    while (Date.now() < deadline) {
      const job = await getJob(deps, jobId);
      if (job.status === "succeeded") {
        const result = appLogsResultSchema.safeParse(job.result);
        return result.success ? result.data.lines : [];
      }
      if (isFinal(job.status))
        throw new ApiError("conflict", `Reading the logs failed: ${job.error ?? job.status}`);
      // Woken by the job's next change; polled too, for a change another process missed telling us.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 250);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
  throw new ApiError("unavailable", `The logs did not arrive in time; see job ${jobId}`);
}

/** What one stored event of a followed logs job shows a reader. */
export type LogItem = { kind: "line"; at: string | null; text: string } | { kind: "notice"; text: string };

// `docker logs --timestamps`: "<RFC 3339 with nanoseconds> <line>"; compose puts its
// "<container>  | " prefix first. Older agents send lines without the time.
const STAMPED =
  /^(?<prefix>[\w.-]+\s+\|\s)?(?<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (?<rest>.*)$/s;

/** One line as Docker wrote it, split into when it was written (ISO 8601, ms) and its text. */
export function stampedLine(line: string): { at: string | null; text: string } {
  const m = STAMPED.exec(line);
  const when = m?.groups?.at ? Date.parse(m.groups.at.replace(/(\.\d{3})\d+/, "$1")) : Number.NaN;
  if (!m?.groups || Number.isNaN(when)) return { at: null, text: line };
  return { at: new Date(when).toISOString(), text: `${m.groups.prefix ?? ""}${m.groups.rest ?? ""}` };
}

/** The log lines (and the agent's notices, e.g. lines dropped) in a stored job event. */
export function logItemsOf(row: JobEventRow): LogItem[] {
  const ev = row.event as { kind: string; level?: string; message?: string };
  if (ev.kind !== "log" || typeof ev.message !== "string") return [];
  // A lone \r would end an SSE line; the lines come without their own line breaks.
  const text = ev.message.replaceAll("\r", "");
  if (ev.level !== "info") return [{ kind: "notice", text }];
  return text.split("\n").map((line) => ({ kind: "line", ...stampedLine(line) }));
}
