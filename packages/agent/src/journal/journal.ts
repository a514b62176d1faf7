import { constants } from "node:fs";
import { type FileHandle, mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../log.ts";
import { errnoCode } from "../util/errors.ts";
import { fsyncDir } from "../util/files.ts";
import {
  type JobEntry,
  type JobEvent,
  type JobOrigin,
  type JournalRecord,
  journalRecordSchema,
  type StoredEvent,
} from "./records.ts";
import { replayJournal } from "./replay.ts";
import { journalKey, mergeSecrets, readJournalKey, seal, splitSecrets, unseal } from "./sealing.ts";

export type { JobEntry, JobEvent, JobOrigin, StoredEvent } from "./records.ts";

export interface JournalOptions {
  log: Logger;
  /** Compact once this many finished-and-acked jobs are in the file. */
  compactAfter?: number;
  /** …or once this many bytes were appended since the last compaction. */
  compactBytes?: number;
  /** How many tombstones of finished jobs to keep (idempotency window for late duplicate offers). */
  keepDone?: number;
  now?: () => number;
}

interface Pending {
  line: string;
  durable: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The agent's durable memory: accepted jobs, their checkpoints and the event outbox, as an
 * append-only JSON-lines file. Records that must survive a crash are fsynced before the
 * promise resolves; concurrent appends share one fsync (group commit). When finished and
 * acknowledged jobs pile up, the live state is rewritten to a new file and renamed over.
 *
 * Secret-bearing params (app.deploy's secrets, deploy key and rendered compose) are never
 * written in clear: they are sealed with AES-256-GCM under a random key in `journal.key`
 * (0600, beside the journal, created on first use) so an interrupted deploy still resumes
 * after a restart. A job whose sealed part cannot be opened again (key lost) fails saying so
 * instead of running without its secrets. See sealing.ts for the reasoning.
 */
export class Journal {
  readonly path: string;
  readonly #dir: string;
  #key: Promise<Buffer> | undefined;
  #fh: FileHandle;
  #jobs: Map<string, JobEntry>;
  #done: Map<string, number>;
  #pending: Pending[] = [];
  #chain: Promise<void> = Promise.resolve();
  #flushQueued = false;
  #closed = false;
  #appendedBytes = 0;
  #opts: Required<Omit<JournalOptions, "log">> & { log: Logger };

  private constructor(
    path: string,
    fh: FileHandle,
    jobs: Map<string, JobEntry>,
    done: Map<string, number>,
    opts: JournalOptions,
  ) {
    this.path = path;
    this.#dir = join(path, "..");
    this.#fh = fh;
    this.#jobs = jobs;
    this.#done = done;
    this.#opts = { compactAfter: 50, compactBytes: 4 * 2 ** 20, keepDone: 10_000, now: Date.now, ...opts };
  }

  /** Opens (or creates) the journal in `dir`, replays it and rewrites it compactly. */
  static async open(dir: string, opts: JournalOptions): Promise<Journal> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, "journal.jsonl");
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
    const { jobs, done, skipped, torn } = replayJournal(text);
    if (torn) opts.log.warn("journal: ignored a torn last record (the agent stopped mid-write)");
    if (skipped > 0) opts.log.warn("journal: skipped unreadable records", { skipped });
    await openSealed(dir, jobs, opts.log);
    const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o600);
    const journal = new Journal(path, fh, jobs, done, opts);
    // Start from a clean file: drops the torn tail and anything already settled.
    await journal.compact();
    return journal;
  }

  /** Jobs held (running, or finished with events not yet acknowledged or compacted). */
  jobs(): IterableIterator<JobEntry> {
    return this.#jobs.values();
  }

  /** A held job. */
  get(jobId: string): JobEntry | undefined {
    return this.#jobs.get(jobId);
  }

  /** Whether the job was finished, acknowledged and compacted away. */
  isDone(jobId: string): boolean {
    return this.#done.has(jobId);
  }

  /** Records an accepted job durably; resolves once it is on disk. */
  async accept(
    jobId: string,
    kind: string,
    params: unknown,
    attempt: number,
    origin?: JobOrigin,
  ): Promise<JobEntry> {
    const at = this.#opts.now();
    const { clear, secret } = splitSecrets(kind, params);
    let sealed: string | undefined;
    if (secret) {
      this.#key ??= journalKey(this.#dir);
      this.#key.catch(() => {
        this.#key = undefined;
      });
      sealed = seal(await this.#key, jobId, secret);
    }
    const entry: JobEntry = {
      jobId,
      kind,
      params,
      ...(sealed ? { sealed } : {}),
      attempt,
      acceptedAt: at,
      ...(origin ? { origin } : {}),
      checkpoints: new Map(),
      outbox: [],
      lastSeq: 0,
      ackedSeq: 0,
      finished: false,
    };
    this.#jobs.set(jobId, entry);
    await this.#append({ t: "accept", jobId, kind, params: clear, sealed, attempt, at, origin }, true);
    return entry;
  }

  /** Records a step boundary a handler can resume from; durable. */
  async checkpoint(jobId: string, name: string, data: unknown): Promise<void> {
    const entry = this.#require(jobId);
    entry.checkpoints.set(name, data);
    await this.#append({ t: "check", jobId, name, data }, true);
  }

  /** Appends an event to the job's outbox with the next seq; resolves once it is on disk. */
  async appendEvent(jobId: string, event: JobEvent): Promise<StoredEvent> {
    const entry = this.#require(jobId);
    if (entry.finished) throw new Error(`job ${jobId} already has its result`);
    const stored: StoredEvent = { seq: entry.lastSeq + 1, at: this.#opts.now(), event };
    entry.lastSeq = stored.seq;
    entry.outbox.push(stored);
    if (event.kind === "result") entry.finished = true;
    await this.#append({ t: "event", jobId, ...stored }, true);
    return stored;
  }

  /** The control plane stored events up to `seq` (cumulative). Returns false for an unknown job. */
  ack(jobId: string, seq: number): boolean {
    const entry = this.#jobs.get(jobId);
    if (!entry) return this.#done.has(jobId);
    const upTo = Math.min(seq, entry.lastSeq);
    if (upTo <= entry.ackedSeq) return true;
    entry.ackedSeq = upTo;
    entry.outbox = entry.outbox.filter((e) => e.seq > upTo);
    // Not fsynced: a lost ack only means the server sees a duplicate it ignores.
    this.#append({ t: "ack", jobId, seq: upTo }, false).catch((err) =>
      this.#opts.log.error("journal: ack write failed", { err }),
    );
    if (this.#settledCount() >= this.#opts.compactAfter || this.#appendedBytes >= this.#opts.compactBytes) {
      this.compact().catch((err) => this.#opts.log.error("journal: compaction failed", { err }));
    }
    return true;
  }

  /**
   * Forgets a job the control plane refused for good: its outbox is never resent, and a
   * tombstone keeps a late duplicate offer from running it again. Durable.
   */
  async drop(jobId: string): Promise<void> {
    if (!this.#jobs.delete(jobId) && this.#done.has(jobId)) return;
    const at = this.#opts.now();
    this.#done.set(jobId, at);
    await this.#append({ t: "done", jobId, at }, true);
  }

  /** Rewrites the file with only what is still needed (new file, fsync, rename). */
  compact(): Promise<void> {
    return this.#exclusive(async () => {
      // An ack may queue a compaction just before close(); after close there is nothing to do.
      if (this.#closed) return;
      const now = this.#opts.now();
      for (const [id, entry] of this.#jobs) {
        if (entry.finished && entry.ackedSeq >= entry.lastSeq) {
          this.#jobs.delete(id);
          this.#done.set(id, now);
        }
      }
      while (this.#done.size > this.#opts.keepDone) {
        const oldest = this.#done.keys().next().value;
        if (oldest === undefined) break;
        this.#done.delete(oldest);
      }
      const lines: string[] = [];
      for (const [jobId, at] of this.#done) lines.push(JSON.stringify({ t: "done", jobId, at }));
      for (const e of this.#jobs.values()) {
        const { jobId } = e;
        lines.push(
          JSON.stringify({
            t: "accept",
            jobId,
            kind: e.kind,
            params: e.sealed ? splitSecrets(e.kind, e.params).clear : e.params,
            sealed: e.sealed,
            attempt: e.attempt,
            at: e.acceptedAt,
            origin: e.origin,
          }),
        );
        for (const [name, data] of e.checkpoints)
          lines.push(JSON.stringify({ t: "check", jobId, name, data }));
        if (e.ackedSeq > 0) lines.push(JSON.stringify({ t: "ack", jobId, seq: e.ackedSeq }));
        for (const ev of e.outbox) lines.push(JSON.stringify({ t: "event", jobId, ...ev }));
      }
      this.#appendedBytes = 0;
      const tmp = `${this.path}.compact`;
      const out = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
      try {
        await out.writeFile(lines.length ? `${lines.join("\n")}\n` : "");
        await out.sync();
      } finally {
        await out.close();
      }
      await rename(tmp, this.path);
      await fsyncDir(join(this.path, ".."));
      await this.#fh.close();
      this.#fh = await open(this.path, constants.O_WRONLY | constants.O_APPEND);
    });
  }

  /** Flushes pending records and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#exclusive(async () => {
      this.#closed = true;
      await this.#fh.sync();
      await this.#fh.close();
    });
  }

  #settledCount(): number {
    let n = 0;
    for (const e of this.#jobs.values()) if (e.finished && e.ackedSeq >= e.lastSeq) n++;
    return n;
  }

  #require(jobId: string): JobEntry {
    const entry = this.#jobs.get(jobId);
    if (!entry) throw new Error(`job ${jobId} is not in the journal`);
    return entry;
  }

  #append(record: JournalRecord, durable: boolean): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("journal is closed"));
    // Validate on the way in too: whatever is written must replay.
    journalRecordSchema.parse(record);
    const line = `${JSON.stringify(record)}\n`;
    this.#appendedBytes += line.length;
    return new Promise((resolve, reject) => {
      this.#pending.push({ line, durable, resolve, reject });
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        this.#chain = this.#chain.then(() => this.#flush());
      }
    });
  }

  /** Writes every pending record in one write and, if any must survive, one fdatasync. */
  async #flush(): Promise<void> {
    this.#flushQueued = false;
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    try {
      await this.#fh.write(batch.map((p) => p.line).join(""));
      if (batch.some((p) => p.durable)) await this.#fh.datasync();
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  #exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(async () => {
      await this.#flush();
      await fn();
    });
    this.#chain = run.catch(() => {});
    return run;
  }
}

/** Merges each replayed job's sealed secrets back into its params, or marks the job unreadable. */
async function openSealed(dir: string, jobs: Map<string, JobEntry>, log: Logger): Promise<void> {
  const sealed = [...jobs.values()].filter((e) => e.sealed && !e.finished);
  if (sealed.length === 0) return;
  let key: Buffer | undefined;
  let problem = "the journal key (journal.key) is missing";
  try {
    key = await readJournalKey(dir);
  } catch (err) {
    problem = `the journal key cannot be read (${errnoCode(err) ?? "invalid"})`;
  }
  for (const entry of sealed) {
    try {
      if (!key || !entry.sealed) throw new Error(problem);
      const secret = unseal(key, entry.jobId, entry.sealed);
      if (typeof secret !== "object" || secret === null) throw new Error("the sealed part is not an object");
      entry.params = mergeSecrets(entry.kind, entry.params, secret as Record<string, unknown>);
    } catch (err) {
      entry.unreadable = key ? "its sealed secrets do not open with the journal key" : problem;
      log.warn("journal: a job's sealed secrets cannot be read back; it will fail", {
        jobId: entry.jobId,
        problem: entry.unreadable,
        err: err instanceof Error && key ? err.message : undefined,
      });
    }
  }
}
