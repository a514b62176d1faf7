/**
 * Size limits of the agent link. Every frame either side builds fits MAX_FRAME_BYTES once
 * encoded (JSON text, UTF-8): the agent cuts what could grow past it (job output, results) before
 * it journals an event, and the control plane refuses a larger frame with an `error` naming its
 * job instead of closing the link (issue 10: one oversized result, resent after every reconnect,
 * kept a node offline for ever).
 */
export const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * What the control plane's WebSocket accepts at all. Frames between MAX_FRAME_BYTES and this are
 * read and refused by the protocol (the link stays up); beyond it the socket closes with 1009.
 */
export const MAX_TRANSPORT_BYTES = 4 * MAX_FRAME_BYTES;

/** Bytes of `text` in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of `value` as JSON text in UTF-8 (control characters count as their `\u00XX` escapes). */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? "");
}

/**
 * The job a frame names, read from its beginning without parsing it (for a frame too large to
 * parse, or one that fails validation). encodeFrame writes `jobId` among the first fields.
 */
export function frameJobId(text: string): string | undefined {
  const m = /"jobId"\s*:\s*"([A-Za-z0-9_-]{1,64})"/.exec(text.slice(0, 512));
  return m?.[1];
}
