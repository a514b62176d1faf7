// The HTTP side: routes, the bearer token, bodies in and out, and the status codes sqld uses.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ProtocolError, StreamExpiredError } from "./errors.ts";
import { runCursor, runPipeline } from "./pipeline.ts";
import { parseCursorBody, parsePipelineBody } from "./proto.ts";
import type { StreamRegistry } from "./streams.ts";

/** Request bodies above this are refused (413) before they are parsed. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, "application/json", JSON.stringify(value));

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Checks `Authorization: Bearer <token>` in constant time; with no token configured, anyone may. */
function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  return m !== null && timingSafeEqual(digest(m[1]!.trim()), digest(token));
}

export interface HttpOptions {
  authToken?: string;
  /** Where unexpected failures are reported (never with request bodies or tokens). */
  log?: (line: string) => void;
}

/** Builds the HTTP server of the Hrana endpoints over `registry`. */
export function hranaServer(registry: StreamRegistry, opts: HttpOptions = {}): Server {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
    if (req.method === "GET") {
      if (path === "/") return send(res, 200, "text/plain", "Hello, this is HTTP API v2 (Hrana over HTTP)");
      if (path === "/health" || path === "/v2" || path === "/v3") return send(res, 200, "text/plain", "");
      return send(res, 404, "text/plain", "Not found");
    }
    const endpoint = { "/v2/pipeline": "pipeline2", "/v3/pipeline": "pipeline3", "/v3/cursor": "cursor" }[
      path
    ];
    if (!endpoint) return send(res, 404, "text/plain", "Not found");
    if (req.method !== "POST") return send(res, 405, "text/plain", "Method not allowed");
    if (!authorized(req, opts.authToken)) {
      return sendJson(res, 401, {
        error: "Unauthorized: the Authorization header must carry this server's bearer token",
      });
    }
    const text = await readBody(req);
    if (endpoint === "cursor") {
      const lines = await runCursor(registry, parseCursorBody(text));
      return send(res, 200, "text/plain", lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    }
    const version = endpoint === "pipeline3" ? 3 : 2;
    return sendJson(res, 200, await runPipeline(registry, parsePipelineBody(text), version));
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof HttpError) return send(res, err.status, "text/plain", err.message);
      if (err instanceof ProtocolError) return send(res, 400, "text/plain", err.message);
      if (err instanceof StreamExpiredError)
        return sendJson(res, 500, { message: err.message, code: err.code });
      log(
        `libsql-server: ${req.method} ${req.url} failed: ${err instanceof Error ? err.stack : String(err)}`,
      );
      send(res, 500, "text/plain", "Internal server error");
    });
  });
  // Idle keep-alive connections stay open (as sqld's HTTP server keeps them): with Node's 5 s
  // default, a client reusing a connection just as the server drops it sees "other side closed".
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  return server;
}
