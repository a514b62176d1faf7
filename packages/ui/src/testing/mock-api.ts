// A fake API for component tests: stubs fetch with handlers keyed by "METHOD /path".
import type { User } from "@pylon/shared";
import { vi } from "vitest";

export interface Call {
  method: string;
  url: URL;
  body: unknown;
  headers: Record<string, string>;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
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
      };
      calls.push(call);
      const h = routes[`${method} ${url.pathname}`];
      const reply = typeof h === "function" ? await h(call) : (h ?? apiError(404, "not_found", "Not found"));
      const status = reply.status ?? 200;
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
