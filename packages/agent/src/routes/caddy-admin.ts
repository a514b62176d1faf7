import http from "node:http";

/** A failed admin API call; the message is Caddy's own `error` text. */
export class CaddyError extends Error {
  override name = "CaddyError";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly method: string,
    readonly path: string,
  ) {
    super(message);
  }
}

const MAX_ANSWER = 16 * 2 ** 20;
const TRANSIENT_LOAD = /caching certificate: decoding certificate metadata|unexpected end of JSON input/;
/**
 * Connection failures while Caddy restarts its admin server (it does on every config change,
 * and a package upgrade restarts Caddy): retried. A call that did reach Caddy and is repeated
 * is harmless here: CaddyRoutes removes duplicate tagged routes on its next write.
 */
const TRANSIENT_CONNECT = /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up/;

function transient(err: unknown): boolean {
  if (!(err instanceof CaddyError)) return false;
  return err.status === undefined ? TRANSIENT_CONNECT.test(err.message) : TRANSIENT_LOAD.test(err.message);
}

/**
 * A minimal client of Caddy's admin API (https://caddyserver.com/docs/api) over node:http —
 * the admin endpoint is plain HTTP on loopback, and node:http keeps the fetch stack out of
 * the agent's memory. Answers are parsed JSON; non-2xx answers throw CaddyError.
 */
export class CaddyAdmin {
  readonly #base: URL;
  readonly #timeoutMs: number;

  constructor(adminUrl: string, timeoutMs = 15_000) {
    this.#base = new URL(adminUrl);
    if (this.#base.protocol !== "http:") throw new Error(`Caddy admin URL must be http: ${adminUrl}`);
    this.#timeoutMs = timeoutMs;
  }

  /**
   * One admin call; resolves with the parsed JSON answer (undefined when empty). A config load
   * that failed on Caddy's own half-written certificate files is retried: Caddy 2.6 writes
   * certificate metadata in place while the previous config is still issuing, a new load can
   * read it half-written, and Caddy then rolls back to the old config, so a retry is safe.
   * So is a connection refused or reset while Caddy restarts its admin server.
   */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(method, path, body);
      } catch (err) {
        if (attempt >= 5 || !transient(err)) throw err;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  #once(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = new URL(path, this.#base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: "application/json" };
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      // A fresh connection per call: Caddy restarts its admin server on every config change,
      // so a kept-alive socket from the previous call would hang up.
      const req = http.request(url, { method, headers, agent: false, timeout: this.#timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER) res.destroy(new Error("answer too large"));
          else chunks.push(c);
        });
        res.on("error", (err) =>
          reject(new CaddyError(`reading Caddy's answer failed: ${err.message}`, undefined, method, path)),
        );
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = text.trim() ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          if (status >= 200 && status < 300) return resolve(parsed);
          const message =
            typeof parsed === "object" &&
            parsed !== null &&
            "error" in parsed &&
            typeof parsed.error === "string"
              ? parsed.error
              : text.trim() || `HTTP ${status}`;
          reject(new CaddyError(message, status, method, path));
        });
      });
      req.on("timeout", () => req.destroy(new Error("no answer within the timeout")));
      req.on("error", (err) =>
        reject(
          new CaddyError(
            `cannot reach Caddy's admin API at ${this.#base.origin}: ${err.message}`,
            undefined,
            method,
            path,
          ),
        ),
      );
      req.end(payload);
    });
  }
}

/** Whether an admin error says the addressed object does not exist. */
export function isNotFound(err: unknown): boolean {
  return (
    err instanceof CaddyError &&
    (err.status === 404 || /unknown object ID|invalid traversal path|index out of bounds/.test(err.message))
  );
}
