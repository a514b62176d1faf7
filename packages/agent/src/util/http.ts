import http from "node:http";
import https from "node:https";

/** POSTs JSON over http(s), TLS verified (against `ca` if given); returns status and body text. */
export function postJson(
  url: string,
  body: unknown,
  opts: { ca?: Buffer; timeoutMs?: number } = {},
): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  const payload = JSON.stringify(body);
  const mod = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        ca: opts.ca,
        timeout: opts.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${u.origin} within the timeout`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** GETs a body over http(s), TLS verified (against `ca` if given), refusing one over maxBytes. */
export function getBytes(
  url: string,
  opts: { ca?: Buffer; timeoutMs?: number; maxBytes: number },
): Promise<{ status: number; body: Buffer }> {
  const u = new URL(url);
  const mod = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(u, { method: "GET", ca: opts.ca, timeout: opts.timeoutMs ?? 120_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes)
          res.destroy(new Error(`${u.pathname} is larger than ${opts.maxBytes} bytes`));
        else chunks.push(c);
      });
      res.on("error", reject);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${u.origin} within the timeout`)));
    req.on("error", reject);
    req.end();
  });
}
