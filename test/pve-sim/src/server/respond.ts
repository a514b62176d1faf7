import type { ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

/** Writes a response the way pve-api-daemon does (headers, reason phrase, gzip above 1 KiB). */
export function writeResponse(
  res: ServerResponse,
  status: number,
  reason: string,
  body: string | undefined,
  acceptGzip: boolean,
): void {
  if (res.writableEnded || res.destroyed) return;
  const date = new Date().toUTCString();
  const headers: Record<string, string | number> = {
    Date: date,
    Expires: date,
    "Cache-Control": "max-age=0",
    Pragma: "no-cache",
    Server: "pve-api-daemon/3.0",
    Connection: status >= 400 ? "close" : "Keep-Alive",
  };
  let payload: Buffer | undefined;
  if (body !== undefined && body !== "") {
    headers["Content-Type"] = "application/json;charset=UTF-8";
    payload = Buffer.from(body, "utf8");
    if (acceptGzip && payload.length > 1024) {
      payload = gzipSync(payload);
      headers["Content-Encoding"] = "gzip";
    }
    headers["Content-Length"] = payload.length;
  } else {
    // pve-api-daemon sends no body at all here; a zero length keeps Node from chunking.
    headers["Content-Length"] = 0;
  }
  // The reason phrase is the first line of the error text (pve-http-server `response`).
  const firstLine = (reason.split("\n")[0] ?? "").replace(/[^\t\x20-\x7e\x80-\xff]/g, "");
  res.writeHead(status, firstLine, headers);
  res.end(payload);
}
