import type { ErrorBody, ErrorCode, FieldIssue } from "@pylon/shared";
import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDatabaseBusy } from "../db/busy.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

const HTTP_CODES: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "too_many_requests",
  503: "unavailable",
};

/** Writes the one JSON error shape. */
export function errorResponse(c: Context<AppEnv>, err: ApiError): Response {
  const body: ErrorBody = {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
      requestId: c.get("requestId") ?? "",
    },
  };
  for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
  return c.json(body, err.status as ContentfulStatusCode);
}

function fromHttpException(e: HTTPException): ApiError {
  if (e.status === 400 && /JSON/i.test(e.message))
    return new ApiError("malformed_json", "Malformed JSON in request body");
  if (e.status === 415)
    return new ApiError("unsupported_media_type", "Send the request body as application/json");
  const code = HTTP_CODES[e.status] ?? (e.status >= 500 ? "internal" : "bad_request");
  return new ApiError(code, e.message || "Request refused");
}

/** `app.onError`: known errors keep their status; anything else is logged and becomes a bare 500. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiError) return errorResponse(c, err);
  if (err instanceof HTTPException) return errorResponse(c, fromHttpException(err));
  if (isDatabaseBusy(err)) {
    // Another process held the database's write lock for longer than this one waits.
    c.get("deps")?.logger.warn("database busy", { requestId: c.get("requestId"), path: c.req.path });
    return errorResponse(
      c,
      new ApiError(
        "unavailable",
        "The database is busy (locked by another process); try again shortly",
        undefined,
        {
          "Retry-After": "1",
        },
      ),
    );
  }
  c.get("deps")?.logger.error("unhandled error", {
    requestId: c.get("requestId"),
    method: c.req.method,
    path: c.req.path,
    error: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  return errorResponse(
    c,
    new ApiError(
      "internal",
      `Internal error; the server log has the details (request ${c.get("requestId")})`,
    ),
  );
};

interface ZodLikeIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
}

const WHERE: Record<string, string> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "header",
};

/** Turns zod issues into field issues with dotted paths, one per unknown key. */
export function toFieldIssues(issues: readonly ZodLikeIssue[]): FieldIssue[] {
  return issues.flatMap((i) => {
    const base = i.path.map(String).join(".");
    if (i.code === "unrecognized_keys" && i.keys) {
      return i.keys.map((k) => ({ path: base ? `${base}.${k}` : k, message: "is not a known field" }));
    }
    return [{ path: base || "(root)", message: i.message }];
  });
}

/** zod-openapi's defaultHook: validation failures become one 400 naming every bad field. */
export function validationHook(
  result: { success: boolean; target: string; error?: { issues: readonly ZodLikeIssue[] } },
  _c: Context,
): void {
  if (result.success || !result.error) return;
  const fields = toFieldIssues(result.error.issues);
  const where = WHERE[result.target] ?? result.target;
  const summary = fields.map((f) => `${f.path} ${f.message}`).join("; ");
  throw new ApiError("validation_failed", `Invalid request ${where}: ${summary}`, { fields });
}
