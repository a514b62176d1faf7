// An app's container logs, followed live: `POST /apps/{id}/logs` with `follow: true` answers
// Server-Sent Events, read here from fetch's body (an EventSource can only GET, and starting a
// log job is a POST so it gets the CSRF check). Each connection runs its own log job that first
// sends the last lines again, so a dropped stream is not resumed behind the reader's back (the
// lines would repeat): the caller decides to reopen.
import { type ApiError, asApiError, requestStream } from "./client.ts";

/** One line of the containers' output and when it was written (null from older agents). */
export interface AppLogLine {
  at: string | null;
  text: string;
}

export interface LogStreamHandlers {
  /** The server started the log job: the stream is live. */
  onOpen: () => void;
  /** A line of the containers' output. */
  onLine: (line: AppLogLine) => void;
  /** A remark from the agent (e.g. lines dropped), not part of the output. */
  onNotice: (text: string) => void;
  /** The stream ended by itself (containers gone, time limit); `error` says why, if it failed. */
  onEnd: (error: string | null) => void;
  /** The stream failed; `opened` tells a lost stream from one that never started (`error`: why). */
  onError: (opened: boolean, error: ApiError | null) => void;
}

/** One `event:`/`data:` block of an event stream. */
interface SseEvent {
  event: string;
  data: string;
}

/** Splits event-stream text into events; returns them and the unfinished rest. */
export function parseSse(text: string): { events: SseEvent[]; rest: string } {
  const blocks = text.replaceAll("\r\n", "\n").split("\n\n");
  const rest = blocks.pop() ?? "";
  const events: SseEvent[] = [];
  for (const block of blocks) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
    }
    if (data.length) events.push({ event, data: data.join("\n") });
  }
  return { events, rest };
}

function lineOf(data: string): AppLogLine {
  try {
    const l = JSON.parse(data) as Partial<AppLogLine>;
    if (typeof l.text === "string") return { at: typeof l.at === "string" ? l.at : null, text: l.text };
  } catch {
    // Not JSON: a plain line.
  }
  return { at: null, text: data };
}

/** Follows the app's logs from the last `tail` lines; returns a function that stops (and ends the job). */
export function followAppLogs(appId: string, tail: number, h: LogStreamHandlers): () => void {
  const abort = new AbortController();
  let opened = false;
  let finished = false;
  const handle = (e: SseEvent) => {
    if (e.event === "job") {
      opened = true;
      h.onOpen();
    } else if (e.event === "line") h.onLine(lineOf(e.data));
    else if (e.event === "notice") h.onNotice(e.data);
    else if (e.event === "end") {
      let error: string | null = null;
      try {
        error = (JSON.parse(e.data) as { error?: string | null }).error ?? null;
      } catch {
        // An end without a readable body is still the end.
      }
      finished = true;
      abort.abort();
      h.onEnd(error);
    }
  };
  const run = async () => {
    const res = await requestStream("POST", `/api/v1/apps/${encodeURIComponent(appId)}/logs`, {
      body: { follow: true, tail },
      signal: abort.signal,
    });
    const reader = res.body?.getReader();
    if (!reader) throw new Error("the server sent no stream");
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const parsed = parseSse(text + decoder.decode(value, { stream: true }));
      text = parsed.rest;
      for (const e of parsed.events) if (!finished) handle(e);
    }
    if (!finished) throw new Error("the stream closed");
  };
  run().catch((err: unknown) => {
    if (finished || abort.signal.aborted) return;
    finished = true;
    h.onError(opened, opened ? null : asApiError(err));
  });
  return () => {
    finished = true;
    abort.abort();
  };
}
