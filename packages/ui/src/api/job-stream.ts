// A job's live events over Server-Sent Events. EventSource reconnects by itself and sends
// Last-Event-ID, so the server resumes after the last event we saw; when the browser gives up
// (the server answered an error, e.g. 401 or a restart), we reopen with ?after=<last seq>.
// Events are de-duplicated by seq either way, so a replayed event is never shown twice.
import type { Job, JobEvent } from "@pylon/shared";
import { getJob } from "./queries.ts";

export interface JobStreamHandlers {
  /** The job, whenever its state changes (and at the end). */
  onJob: (job: Job) => void;
  /** Each event once, in seq order. */
  onEvent: (event: JobEvent) => void;
  /** The stream ended: the job is finished and every event was delivered. */
  onEnd: () => void;
  /** Connection state, for a "reconnecting…" hint. */
  onConnection?: (state: "open" | "reconnecting") => void;
  /** The job cannot be streamed (no such job, or no access). */
  onError?: (err: unknown) => void;
}

const RETRY_MS = [500, 1000, 2000, 5000];

function parse<T>(e: Event): T | null {
  try {
    return JSON.parse((e as MessageEvent<string>).data) as T;
  } catch {
    return null;
  }
}

/** Streams a job's state and events; returns a function that stops it. */
export function streamJob(jobId: string, h: JobStreamHandlers): () => void {
  let lastSeq = 0;
  let source: EventSource | null = null;
  let stopped = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const base = `/api/v1/jobs/${encodeURIComponent(jobId)}/stream`;

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    source?.close();
    source = null;
  };

  const reopen = async () => {
    // Ask the API why the stream was refused: a lost session reaches the sign-in screen through
    // the client, a missing job is reported, anything else is retried.
    try {
      await getJob(jobId);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 0;
      if (status === 401 || status === 403 || status === 404) {
        stop();
        h.onError?.(err);
        return;
      }
    }
    if (stopped) return;
    const delay = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] ?? 5000;
    failures++;
    timer = setTimeout(open, delay);
  };

  const open = () => {
    if (stopped) return;
    const es = new EventSource(lastSeq ? `${base}?after=${lastSeq}` : base);
    source = es;
    es.onopen = () => {
      failures = 0;
      h.onConnection?.("open");
    };
    es.addEventListener("job", (e) => {
      const job = parse<Job>(e);
      if (job) h.onJob(job);
    });
    es.addEventListener("event", (e) => {
      const ev = parse<JobEvent>(e);
      if (!ev || ev.seq <= lastSeq) return;
      lastSeq = ev.seq;
      h.onEvent(ev);
    });
    es.addEventListener("end", (e) => {
      const job = parse<Job>(e);
      if (job) h.onJob(job);
      stop();
      h.onEnd();
    });
    es.onerror = () => {
      if (stopped) return;
      h.onConnection?.("reconnecting");
      // CONNECTING: the browser retries by itself with Last-Event-ID. CLOSED: it gave up.
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        void reopen();
      }
    };
  };

  open();
  return stop;
}
