// An app's container logs, followed live over Server-Sent Events (`GET /apps/{id}/logs?follow=true`).
// Each connection runs its own log job that first sends the last lines again, so a dropped stream
// is not resumed behind the reader's back (the lines would repeat): the caller decides to reopen.

export interface LogStreamHandlers {
  /** The server started the log job: the stream is live. */
  onOpen: () => void;
  /** A line of the containers' output. */
  onLine: (line: string) => void;
  /** A remark from the agent (e.g. lines dropped), not part of the output. */
  onNotice: (text: string) => void;
  /** The stream ended by itself (containers gone, time limit); `error` says why, if it failed. */
  onEnd: (error: string | null) => void;
  /** The connection failed; `opened` tells a lost stream from one that never started. */
  onError: (opened: boolean) => void;
}

/** Follows the app's logs from the last `tail` lines; returns a function that stops (and cancels the job). */
export function followAppLogs(appId: string, tail: number, h: LogStreamHandlers): () => void {
  const es = new EventSource(`/api/v1/apps/${encodeURIComponent(appId)}/logs?follow=true&tail=${tail}`);
  let opened = false;
  let stopped = false;
  const stop = () => {
    stopped = true;
    es.close();
  };
  const text = (e: Event) => String((e as MessageEvent<string>).data ?? "");
  es.addEventListener("job", () => {
    opened = true;
    h.onOpen();
  });
  es.addEventListener("line", (e) => h.onLine(text(e)));
  es.addEventListener("notice", (e) => h.onNotice(text(e)));
  es.addEventListener("end", (e) => {
    let error: string | null = null;
    try {
      error = (JSON.parse(text(e)) as { error?: string | null }).error ?? null;
    } catch {
      // An end without a readable body is still the end.
    }
    stop();
    h.onEnd(error);
  });
  es.onerror = () => {
    if (stopped) return;
    stop();
    h.onError(opened);
  };
  return stop;
}
