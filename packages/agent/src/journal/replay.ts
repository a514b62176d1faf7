import { type JobEntry, journalRecordSchema } from "./records.ts";

/** What a journal file says, rebuilt record by record. */
export interface Replayed {
  jobs: Map<string, JobEntry>;
  done: Map<string, number>;
  /** Complete lines that could not be read (corruption, or records from another version). */
  skipped: number;
  /** The file ended in a partial line: the agent died mid-write; that record never counted. */
  torn: boolean;
}

/** Rebuilds journal state from file content; a torn last line is ignored. */
export function replayJournal(text: string): Replayed {
  const jobs = new Map<string, JobEntry>();
  const done = new Map<string, number>();
  let skipped = 0;
  const lastNewline = text.lastIndexOf("\n");
  const torn = lastNewline !== text.length - 1 && text.length > 0;
  const complete = lastNewline < 0 ? "" : text.slice(0, lastNewline);
  for (const line of complete.split("\n")) {
    if (line.trim() === "") continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const parsed = journalRecordSchema.safeParse(raw);
    if (!parsed.success) {
      skipped++;
      continue;
    }
    const r = parsed.data;
    if (r.t === "done") {
      done.set(r.jobId, r.at);
      jobs.delete(r.jobId);
      continue;
    }
    if (r.t === "accept") {
      if (!jobs.has(r.jobId)) {
        jobs.set(r.jobId, {
          jobId: r.jobId,
          kind: r.kind,
          params: r.params,
          ...(r.sealed ? { sealed: r.sealed } : {}),
          attempt: r.attempt,
          acceptedAt: r.at,
          ...(r.origin ? { origin: r.origin } : {}),
          checkpoints: new Map(),
          outbox: [],
          lastSeq: 0,
          ackedSeq: 0,
          finished: false,
        });
      }
      continue;
    }
    const entry = jobs.get(r.jobId);
    if (!entry) {
      skipped++;
      continue;
    }
    if (r.t === "check") entry.checkpoints.set(r.name, r.data);
    else if (r.t === "ack") {
      entry.ackedSeq = Math.max(entry.ackedSeq, r.seq);
      entry.lastSeq = Math.max(entry.lastSeq, r.seq);
      entry.outbox = entry.outbox.filter((e) => e.seq > entry.ackedSeq);
    } else if (r.seq > entry.lastSeq) {
      // Events arrive in seq order; a duplicate or older seq is ignored.
      entry.lastSeq = r.seq;
      if (r.seq > entry.ackedSeq) entry.outbox.push({ seq: r.seq, at: r.at, event: r.event });
      if (r.event.kind === "result") entry.finished = true;
    }
  }
  return { jobs, done, skipped, torn };
}
