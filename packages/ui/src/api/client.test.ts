import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, mockApi } from "../testing/mock-api.ts";
import { ApiError, onUnauthorized, request } from "./client.ts";

/** The ApiError a call fails with. */
async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

afterEach(() => {
  vi.unstubAllGlobals();
  onUnauthorized(null);
  // biome-ignore lint/suspicious/noDocumentCookie: tests set the CSRF cookie as the server would.
  document.cookie = "pylon_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
});

describe("request", () => {
  it("sends the CSRF token from the pylon_csrf cookie on mutations, not on reads", async () => {
    // biome-ignore lint/suspicious/noDocumentCookie: as above.
    document.cookie = "pylon_csrf=abc123";
    const calls = mockApi({
      "GET /api/v1/users": { body: { items: [] } },
      "POST /api/v1/users": { status: 201, body: {} },
    });
    await request("GET", "/api/v1/users");
    await request("POST", "/api/v1/users", { body: { name: "x" } });
    expect(calls[0]?.headers["x-csrf-token"]).toBeUndefined();
    expect(calls[1]?.headers["x-csrf-token"]).toBe("abc123");
    expect(calls[1]?.headers["content-type"]).toBe("application/json");
    expect(calls[1]?.body).toEqual({ name: "x" });
  });

  it("turns the error shape into an ApiError with fields and request id", async () => {
    mockApi({
      "POST /api/v1/users": apiError(400, "validation_failed", "Invalid request body: password is short", [
        { path: "password", message: "must be at least 12 characters" },
      ]),
    });
    const err = await failure(request("POST", "/api/v1/users", { body: {} }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: "validation_failed", requestId: "req-1" });
    expect(err.field("password")).toBe("must be at least 12 characters");
    expect(err.field("email")).toBeUndefined();
  });

  it("reads Retry-After on a throttled answer", async () => {
    mockApi({
      "POST /x": apiError(429, "too_many_requests", "Too many", undefined, { "retry-after": "42" }),
    });
    const err = await failure(request("POST", "/x"));
    expect(err.retryAfter).toBe(42);
  });

  it("reports a 401 to the session handler, unless the caller expects one", async () => {
    const seen = vi.fn();
    onUnauthorized(seen);
    mockApi({ "GET /a": apiError(401, "session_expired", "Your session has expired; sign in again") });
    await request("GET", "/a").catch(() => {});
    expect(seen).toHaveBeenCalledWith(expect.objectContaining({ code: "session_expired" }));
    seen.mockClear();
    await request("GET", "/a", { expect401: true }).catch(() => {});
    expect(seen).not.toHaveBeenCalled();
  });

  it("explains answers that are not the API's (a proxy's 502) and unreachable servers", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" })),
    );
    expect((await failure(request("GET", "/a"))).message).toBe("The server answered 502 Bad Gateway");
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))),
    );
    const err = await failure(request("GET", "/a"));
    expect(err.code).toBe("network_error");
    expect(err.message).toMatch(/Cannot reach the Pylon server/);
  });

  it("returns undefined for 204 and adds query parameters, skipping empty ones", async () => {
    const calls = mockApi({ "DELETE /t": { status: 204 }, "GET /q": { body: { ok: true } } });
    expect(await request("DELETE", "/t")).toBeUndefined();
    await request("GET", "/q", { query: { a: "1", b: "", c: undefined, d: null, all: true } });
    expect(calls[1]?.url.search).toBe("?a=1&all=true");
  });
});
