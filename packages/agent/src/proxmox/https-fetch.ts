import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import https from "node:https";
import type { ProxmoxEngine } from "proxmox-api";

/** The `fetch` signature proxmox-api's engine accepts. */
export type EngineFetch = NonNullable<ConstructorParameters<typeof ProxmoxEngine>[0]["fetch"]>;
type EngineInit = Parameters<EngineFetch>[1];

/** What the last HTTP exchange of a call looked like, for error messages with Proxmox's own text. */
export interface Exchange {
  status?: number;
  statusText?: string;
  body?: string;
  networkError?: string;
}

/**
 * Per-call context: proxmox-api wraps failures in its own message format, so the client
 * records each exchange here and builds errors from the real status, reason phrase and body.
 */
export const exchangeContext = new AsyncLocalStorage<Exchange>();

const MAX_BODY = 32 * 2 ** 20;
/** A status proxmox-api does not special-case: it then throws instead of retrying the request. */
const NETWORK_FAILURE = 599;

function headerPairs(init: EngineInit): [string, string][] {
  const h: unknown = init?.headers;
  if (!h) return [];
  if (Array.isArray(h))
    return h.filter((p): p is [string, string] => p.length === 2).map(([k, v]) => [String(k), String(v)]);
  if (typeof h === "object" && h !== null && "forEach" in h && typeof h.forEach === "function") {
    const out: [string, string][] = [];
    h.forEach((v: unknown, k: unknown) => {
      out.push([String(k), String(v)]);
    });
    return out;
  }
  return Object.entries(h as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
}

/**
 * A `fetch` for proxmox-api over node:https with TLS verified against `ca` (the host's
 * /etc/pve/pve-root-ca.pem) and keep-alive. Verification is never turned off. Network errors
 * become a 599 answer rather than a rejection, because proxmox-api retries a rejected
 * request once, and a retried POST (start, stop…) could act twice.
 */
export function createHttpsFetch(opts: { ca?: string | Buffer }): EngineFetch {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4, ca: opts.ca });
  const fetchImpl = (url: string | URL, init?: EngineInit) =>
    new Promise<Response>((resolve) => {
      const exchange = exchangeContext.getStore();
      const u = typeof url === "string" ? new URL(url) : url;
      const isHttps = u.protocol === "https:";
      const headers: Record<string, string> = {};
      for (const [k, v] of headerPairs(init)) headers[k] = v;
      const body = typeof init?.body === "string" ? init.body : undefined;
      const fail = (message: string) => {
        if (exchange) exchange.networkError = message;
        resolve(new Response(null, { status: NETWORK_FAILURE, statusText: message.split("\n")[0] }));
      };
      const req = (isHttps ? https : http).request(
        u,
        {
          method: init?.method ?? "GET",
          headers,
          agent: isHttps ? agent : undefined,
          signal: init?.signal ?? undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY) res.destroy(new Error("response body too large"));
            else chunks.push(c);
          });
          res.on("error", (err) => fail(`reading the answer of ${u.origin} failed: ${err.message}`));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (exchange) {
              exchange.status = status;
              exchange.statusText = res.statusMessage ?? "";
              exchange.body = text;
            }
            const out = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (typeof v === "string") out.set(k, v);
              else if (Array.isArray(v)) for (const x of v) out.append(k, x);
            }
            const noBody = status === 204 || status === 304;
            resolve(
              new Response(noBody ? null : text, {
                status,
                statusText: res.statusMessage ?? "",
                headers: out,
              }),
            );
          });
        },
      );
      req.on("error", (err) => fail(`cannot reach the Proxmox API at ${u.origin}: ${err.message}`));
      req.end(body);
    });
  return fetchImpl;
}
