// Keeps every frame the agent builds under the link's limit, measured as the control plane
// receives it: JSON text in UTF-8, where one control character costs six bytes (`\u0001`).
// Issue 10: a diagnostics result capped in characters came to 1.5 MB encoded, the control plane
// closed the link (1009), and the agent resent the same frame after every reconnect, for ever.
import { jsonBytes, MAX_FRAME_BYTES, utf8Length } from "@pylon/shared/protocol/index";
import type { JobEvent } from "../journal/records.ts";

/** Room left for the event frame's envelope (`{"v":1,"type":"event","jobId":…,"seq":…,"at":…,"event":}`). */
const ENVELOPE_BYTES = 512;
/** The most an event may take, encoded. */
export const MAX_EVENT_BYTES = MAX_FRAME_BYTES - ENVELOPE_BYTES;
/** Strings shorter than this are never cut (names, statuses, ids). */
const MIN_CUT_CHARS = 256;

/** The visible note that ends a cut text. */
export function cutMarker(cutBytes: number): string {
  return `\n… [${cutBytes} bytes cut to fit the agent link's ${MAX_FRAME_BYTES / 1024 / 1024} MiB frame limit]`;
}

/**
 * The longest start of `text` that, followed by `marker`, takes at most `maxBytes` as a JSON
 * string (escapes counted); `text` itself when it fits.
 */
export function fitText(text: string, maxBytes: number, marker = (cut: number) => cutMarker(cut)): string {
  const full = jsonBytes(text);
  if (full <= maxBytes) return text;
  let lo = 0;
  let hi = text.length;
  const fits = (n: number) => jsonBytes(text.slice(0, n) + marker(full)) <= maxBytes;
  // Binary search on the number of characters kept.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  let keep = lo;
  // Never split a surrogate pair.
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep--;
  const kept = text.slice(0, keep);
  return kept + marker(utf8Length(text) - utf8Length(kept));
}

type Leaf = { holder: Record<string, unknown> | unknown[]; key: string | number; bytes: number };

/** Every string of at least MIN_CUT_CHARS in `value`, with where it sits. */
function longStrings(value: unknown, out: Leaf[] = []): Leaf[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (typeof v === "string" && v.length >= MIN_CUT_CHARS)
        out.push({ holder: value, key: i, bytes: jsonBytes(v) });
      else if (typeof v === "object" && v !== null) longStrings(v, out);
    });
  } else if (typeof value === "object" && value !== null) {
    const rec = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(rec)) {
      if (typeof v === "string" && v.length >= MIN_CUT_CHARS)
        out.push({ holder: rec, key: k, bytes: jsonBytes(v) });
      else if (typeof v === "object" && v !== null) longStrings(v, out);
    }
  }
  return out;
}

/**
 * `event`, made to fit MAX_EVENT_BYTES encoded. Long texts are cut (largest first) with a
 * visible marker; a result that still does not fit (a structure of many small parts) becomes a
 * failed result saying so, so the job ends clearly instead of blocking the link. Events that fit
 * come back unchanged (the same object).
 */
export function fitEvent(event: JobEvent, maxBytes = MAX_EVENT_BYTES): JobEvent {
  const size = jsonBytes(event);
  if (size <= maxBytes) return event;
  const copy = structuredClone(event) as JobEvent;
  let excess = size - maxBytes;
  const leaves = longStrings(copy).sort((a, b) => b.bytes - a.bytes);
  for (const leaf of leaves) {
    if (excess <= 0) break;
    const text = (leaf.holder as Record<string | number, string>)[leaf.key] as string;
    const target = Math.max(MIN_CUT_CHARS, leaf.bytes - excess);
    const cut = fitText(text, target);
    (leaf.holder as Record<string | number, unknown>)[leaf.key] = cut;
    excess -= leaf.bytes - jsonBytes(cut);
  }
  if (jsonBytes(copy) <= maxBytes) return copy;
  if (event.kind !== "result")
    // Log, progress and step events are bounded by the protocol far below the limit.
    return {
      kind: "log",
      level: "warn",
      message: `an event of ${size} bytes did not fit the link's frame limit`,
    };
  return {
    kind: "result",
    status: "failed",
    error: {
      message: `the job's result (${size} bytes encoded) is over the agent link's ${MAX_FRAME_BYTES / 1024 / 1024} MiB frame limit and was not sent`,
    },
  };
}

/**
 * The jobs hello reports, cut to fit a frame: running jobs first (the control plane asks about
 * any it expected and does not see, so nothing is lost by leaving finished ones out).
 */
export function fitHeldJobs<T extends { jobId: string; state: "running" | "finished" }>(
  jobs: T[],
  maxBytes = MAX_FRAME_BYTES - 4096,
): T[] {
  const ordered = [...jobs].sort((a, b) => (a.state === b.state ? 0 : a.state === "running" ? -1 : 1));
  const out: T[] = [];
  let bytes = 2;
  for (const j of ordered) {
    const size = jsonBytes(j) + 1;
    if (bytes + size > maxBytes) break;
    bytes += size;
    out.push(j);
  }
  return out;
}
