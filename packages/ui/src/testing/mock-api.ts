// A fake API for component tests: stubs fetch with handlers keyed by "METHOD /path".
import type { Job, Node, User } from "@pylon/shared";
import { vi } from "vitest";

export interface Call {
  method: string;
  url: URL;
  body: unknown;
  headers: Record<string, string>;
  /** The request's abort signal (a stream the page stops is aborted). */
  signal: AbortSignal | null;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** An event stream answered instead of JSON (see `sseStream`). */
  stream?: ReadableStream<Uint8Array>;
}

/** A server-sent event stream a test writes to, for `Reply.stream`. */
export function sseStream() {
  let ctl: ReadableStreamDefaultController<Uint8Array> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      ctl = c;
    },
  });
  const enc = new TextEncoder();
  return {
    stream,
    /** Sends `event: name` with the data as is (a string) or as JSON. */
    send(event: string, data: unknown) {
      const text = typeof data === "string" ? data : JSON.stringify(data);
      ctl?.enqueue(enc.encode(`event: ${event}\ndata: ${text}\n\n`));
    },
    /** The server ends the response. */
    close: () => ctl?.close(),
    /** The connection breaks. */
    fail: () => ctl?.error(new TypeError("network error")),
  };
}

type Handler = Reply | ((call: Call) => Reply | Promise<Reply>);

/** Stubs fetch; unknown routes answer 404 in the API's error shape. Returns the calls made. */
export function mockApi(routes: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string | URL, init?: RequestInit) => {
      const url = new URL(String(input), "http://localhost");
      const method = init?.method ?? "GET";
      const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>));
      const call: Call = {
        method,
        url,
        headers,
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
        signal: init?.signal ?? null,
      };
      calls.push(call);
      const h = routes[`${method} ${url.pathname}`];
      const reply = typeof h === "function" ? await h(call) : (h ?? apiError(404, "not_found", "Not found"));
      const status = reply.status ?? 200;
      if (reply.stream)
        return new Response(reply.stream, { status, headers: { "content-type": "text/event-stream" } });
      return new Response(status === 204 ? null : JSON.stringify(reply.body ?? {}), {
        status,
        headers: { "content-type": "application/json", ...reply.headers },
      });
    }),
  );
  return calls;
}

/** A reply in the API's error shape. */
export function apiError(
  status: number,
  code: string,
  message: string,
  fields?: { path: string; message: string }[],
  headers?: Record<string, string>,
): Reply {
  return {
    status,
    headers,
    body: { error: { code, message, requestId: "req-1", ...(fields ? { details: { fields } } : {}) } },
  };
}

/** A user as the API returns it. */
export function user(over: Partial<User> = {}): User {
  return {
    id: "usr_ada",
    email: "ada@example.com",
    name: "Ada Admin",
    role: "admin",
    disabled: false,
    createdAt: "2026-11-01T10:00:00.000Z",
    updatedAt: "2026-11-01T10:00:00.000Z",
    ...over,
  };
}

/** A node as the API lists it. */
export function node(over: Partial<Node> = {}): Node {
  return {
    id: "node_pve1",
    name: "pve1",
    simulated: false,
    status: "online",
    agentVersion: "0.1.0",
    pveVersion: "8.4.5",
    hostName: "pve1",
    createdAt: "2026-11-01T10:00:00.000Z",
    enrolledAt: "2026-11-01T10:05:00.000Z",
    connectedAt: "2026-11-01T10:05:00.000Z",
    lastSeenAt: new Date().toISOString(),
    metrics: {
      cpu: 0.25,
      cpus: 8,
      memTotal: 32 * 1024 ** 3,
      memUsed: 8 * 1024 ** 3,
      diskTotal: 500 * 1024 ** 3,
      diskUsed: 490 * 1024 ** 3,
      uptime: 86400,
      loadavg: [0.5, 0.4, 0.3],
    },
    guestCount: 2,
    hostCheck: { checkedAt: Date.now(), pveVersion: "8.4.5", missingPrivileges: [], problems: [], fix: null },
    agentUpdate: null,
    latestAgentVersion: "0.1.0",
    ...over,
  };
}

/** A job as the API returns it. */
export function job(over: Partial<Job> = {}): Job {
  return {
    id: "job_1",
    nodeId: "node_pve1",
    kind: "guest.power",
    params: { vmid: 101, type: "lxc", action: "start" },
    status: "running",
    attempts: 1,
    requestedBy: "usr_ada",
    cancelRequested: false,
    createdAt: "2026-11-21T10:00:00.000Z",
    updatedAt: "2026-11-21T10:00:01.000Z",
    startedAt: "2026-11-21T10:00:01.000Z",
    finishedAt: null,
    result: null,
    error: null,
    outputAccess: null,
    outputHidden: false,
    ...over,
  };
}
