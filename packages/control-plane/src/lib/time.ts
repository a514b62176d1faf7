/** Epoch milliseconds as the API sends times: ISO-8601 UTC. */
export function iso(t: number): string {
  return new Date(t).toISOString();
}

/** Like {@link iso}, keeping null for "never". */
export function isoOrNull(t: number | null): string | null {
  return t === null ? null : iso(t);
}
