// The one choke point for HTTP: every call to the Pylon API goes through `request`, which adds
// the CSRF header on mutations, turns the error shape into an ApiError and reports a lost session.
import type { ErrorBody, ErrorCode, FieldIssue } from "@pylon/shared";

/** Codes the API sends, plus `network_error` when the server could not be reached at all. */
export type ClientErrorCode = ErrorCode | "network_error";

/** An API answer that was not a success, in a shape the screens can show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ClientErrorCode,
    message: string,
    readonly fields: FieldIssue[] = [],
    readonly requestId: string | null = null,
    /** Seconds to wait before retrying, from Retry-After (throttled sign-in). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The message for one field (`email`, `scopes.0` …), if the API named it. */
  field(path: string): string | undefined {
    return this.fields.find((f) => f.path === path || f.path.startsWith(`${path}.`))?.message;
  }
}

const CSRF_COOKIE = "pylon_csrf";
let csrfFallback: string | null = null;
let unauthorizedHandler: ((err: ApiError) => void) | null = null;

/** Who to tell when an authenticated call answers 401 (the session context routes to sign-in). */
export function onUnauthorized(handler: ((err: ApiError) => void) | null): void {
  unauthorizedHandler = handler;
}

/** Remembers the CSRF token from a sign-in answer, for browsers that hide the cookie. */
export function rememberCsrfToken(token: string | undefined): void {
  if (token) csrfFallback = token;
}

/** The CSRF token: the readable pylon_csrf cookie, else the last one the API handed us. */
export function csrfToken(): string | null {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === CSRF_COOKIE && v.length) return decodeURIComponent(v.join("="));
  }
  return csrfFallback;
}

function isErrorBody(x: unknown): x is ErrorBody {
  if (typeof x !== "object" || x === null || !("error" in x)) return false;
  const e = x.error;
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

function fieldsOf(details: unknown): FieldIssue[] {
  if (typeof details !== "object" || details === null || !("fields" in details)) return [];
  const fields = details.fields;
  if (!Array.isArray(fields)) return [];
  return fields.filter((f): f is FieldIssue => typeof f?.path === "string" && typeof f?.message === "string");
}

async function toApiError(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get("retry-after"));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  const body: unknown = await res.json().catch(() => null);
  if (isErrorBody(body)) {
    const e = body.error;
    return new ApiError(res.status, e.code, e.message, fieldsOf(e.details), e.requestId || null, retryAfter);
  }
  const code: ErrorCode = res.status >= 500 ? "internal" : "bad_request";
  const text = `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
  return new ApiError(res.status, code, text, [], res.headers.get("x-request-id"), retryAfter);
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Set for calls where 401 is an ordinary answer (sign-in, first look at the session). */
  expect401?: boolean;
}

/** Calls the API and returns the parsed JSON (undefined for 204), or throws an ApiError. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts, "application/json");
  // Success bodies are trusted to match the shared types: validating them would need zod in the
  // bundle (issue 6 budget); the API validates its own answers against the same schemas in tests.
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/**
 * Calls the API for a streamed answer (Server-Sent Events from a POST, which an EventSource
 * cannot send) and returns the response, whose body the caller reads; errors as `request`.
 */
export function requestStream(
  method: string,
  path: string,
  opts: RequestOptions & { signal?: AbortSignal } = {},
): Promise<Response> {
  return send(method, path, opts, "text/event-stream");
}

async function send(
  method: string,
  path: string,
  opts: RequestOptions & { signal?: AbortSignal },
  accept: string,
): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && method !== "HEAD") {
    const token = csrfToken();
    if (token) headers["x-csrf-token"] = token;
  }
  let url = path;
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query))
      if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
    const s = q.toString();
    if (s) url += `?${s}`;
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch {
    throw new ApiError(0, "network_error", "Cannot reach the Pylon server; check your connection and retry");
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && !opts.expect401) unauthorizedHandler?.(err);
    throw err;
  }
  return res;
}

/** Turns anything thrown into an ApiError, so screens have one thing to show. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(0, "internal", e instanceof Error ? e.message : String(e));
}
