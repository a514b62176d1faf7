import http from "node:http";
import https from "node:https";
import { PveError, toPveError } from "./errors.ts";
import { type PveTls, PveTlsAgent } from "./tls.ts";

export interface EngineOptions {
  /** https://host:port */
  origin: string;
  tokenId: string;
  tokenSecret: string;
  /** PEM of the CA the API certificate must chain to (/etc/pve/pve-root-ca.pem). */
  ca?: string | Buffer;
  /** Other ways to verify it (a pinned fingerprint, a name); see PveTls. Overrides `ca`. */
  tls?: PveTls;
  timeoutMs?: number;
}

const MAX_BODY = 32 * 2 ** 20;
/** Encodes parameters the way pve-http-server reads them: 0/1 booleans, arrays as repeated keys. */
export function encodeParams(params: Record<string, unknown> | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, String(item));
    else if (typeof v === "boolean") q.append(k, v ? "1" : "0");
    else q.append(k, String(v));
  }
  return q.toString();
}

/**
 * The request engine behind proxmox-api's typed path proxy (its `ApiRequestable`): API-token
 * auth, TLS verified against the host CA over node:https with keep-alive (verification is
 * never turned off), and failures as PveError with Proxmox's own text. It replaces
 * proxmox-api's default engine because that one retries any failed request once (a retried
 * POST could act twice), folds the reason phrase into its own message, and needs the fetch
 * stack (undici), which costs the agent ~10 MB of RSS.
 */
export class TokenEngine {
  readonly #o: EngineOptions;
  /** Keep-alive pool for reads. */
  readonly #agent: https.Agent;
  /** Writes (start, stop…) always get a new connection: never one the server may have just closed. */
  readonly #freshAgent: https.Agent;
  readonly #auth: string;

  constructor(opts: EngineOptions) {
    this.#o = opts;
    const verify: PveTls = opts.tls ?? { ca: opts.ca };
    this.#agent = new PveTlsAgent({ keepAlive: true, maxSockets: 4 }, verify);
    this.#freshAgent = new PveTlsAgent({ keepAlive: false }, verify);
    this.#auth = `PVEAPIToken=${opts.tokenId}=${opts.tokenSecret}`;
  }

  /** One API call; resolves with `data` of a 200 answer. */
  async doRequest(
    method: string,
    path: string,
    _pathTemplate: string,
    params?: Record<string, unknown>,
  ): Promise<unknown> {
    const m = method.toUpperCase();
    const encoded = encodeParams(params);
    const read = m === "GET";
    const inQuery = read || m === "DELETE";
    const url = new URL(this.#o.origin + path + (inQuery && encoded ? `?${encoded}` : ""));
    const body = inQuery ? undefined : encoded;
    let answer: Answer;
    try {
      answer = await this.#send(m, url, body, read ? this.#agent : this.#freshAgent);
    } catch (err) {
      // A kept-alive socket the server closed meanwhile fails at once; a read is safe to repeat.
      if (!(read && err instanceof StaleSocket)) throw this.#networkError(m, path, url, err);
      try {
        answer = await this.#send(m, url, body, this.#agent);
      } catch (again) {
        throw this.#networkError(m, path, url, again);
      }
    }
    if (answer.status !== 200) throw toPveError(m, path, answer);
    try {
      const parsed: unknown = JSON.parse(answer.body);
      return typeof parsed === "object" && parsed !== null && "data" in parsed ? parsed.data : undefined;
    } catch {
      throw new PveError(`answer of ${m} ${path} is not JSON`, answer.status, m, path);
    }
  }

  #networkError(method: string, path: string, url: URL, err: unknown): PveError {
    const cause = err instanceof StaleSocket ? err.cause : err;
    const text = cause instanceof Error ? cause.message : String(cause);
    return new PveError(`cannot reach the Proxmox API at ${url.origin}: ${text}`, undefined, method, path);
  }

  #send(method: string, url: URL, body: string | undefined, agent: https.Agent): Promise<Answer> {
    const isHttps = url.protocol === "https:";
    const headers: Record<string, string> = { authorization: this.#auth, accept: "application/json" };
    if (body !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(
        url,
        { method, headers, agent: isHttps ? agent : undefined, timeout: this.#o.timeoutMs ?? 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY) res.destroy(new Error("answer too large"));
            else chunks.push(c);
          });
          res.on("error", reject);
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? "",
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      req.on("timeout", () => req.destroy(new Error("no answer within the timeout")));
      req.on("error", (err) => reject(req.reusedSocket ? new StaleSocket(err) : err));
      req.end(body);
    });
  }
}

/** A request failed on a socket reused from the keep-alive pool (nodejs.org/api/http.html#requestreusedsocket). */
class StaleSocket extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

interface Answer {
  status: number;
  statusText: string;
  body: string;
}
