// Requests Node refuses before they reach the app (a request line or headers over its limit, a
// malformed request, a request too slow to arrive) still get the API's one JSON error shape.
import { randomUUID } from "node:crypto";
import { maxHeaderSize } from "node:http";
import type { Socket } from "node:net";
import type { ErrorBody, ErrorCode } from "@pylon/shared";
import { ERROR_STATUS } from "@pylon/shared";
import type { Logger } from "../lib/logger.ts";

const REASONS: Partial<Record<number, string>> = {
  400: "Bad Request",
  408: "Request Timeout",
  414: "URI Too Long",
  431: "Request Header Fields Too Large",
};

type ClientError = Error & { code?: string; reason?: string; rawPacket?: Buffer };

/** The error code and message for one of Node's `clientError`s; null when there is no one to answer. */
export function clientErrorAnswer(
  err: ClientError,
  headerLimit = maxHeaderSize,
): { code: ErrorCode; message: string } | null {
  switch (err.code) {
    case "ECONNRESET":
    case "EPIPE":
      return null;
    case "HPE_HEADER_OVERFLOW": {
      // The limit counts the request line too: when that line alone goes past it, the URL is too long.
      const raw = err.rawPacket;
      const startsWithRequestLine = /^[A-Z]+ \S/.test(raw?.subarray(0, 64).toString("latin1") ?? "");
      const lineEnd = raw?.indexOf(10) ?? -1;
      const requestLine = startsWithRequestLine && (lineEnd === -1 || lineEnd > headerLimit);
      return requestLine
        ? { code: "uri_too_long", message: `Request line longer than the ${headerLimit}-byte limit` }
        : {
            code: "headers_too_large",
            message: `Request line and headers larger than the ${headerLimit}-byte limit`,
          };
    }
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { code: "request_timeout", message: "The request did not arrive in time" };
    default:
      return {
        code: "bad_request",
        // llhttp's own reason ("Invalid header token"); never the bytes received.
        message: `Malformed HTTP request${err.reason ? ` (${err.reason.slice(0, 100)})` : ""}`,
      };
  }
}

/** The raw HTTP/1.1 answer for a client error: JSON body, request id, connection closed. */
export function clientErrorResponse(answer: { code: ErrorCode; message: string }, requestId: string): string {
  const status = ERROR_STATUS[answer.code];
  const body: ErrorBody = { error: { code: answer.code, message: answer.message, requestId } };
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Bad Request"}\r\n` +
    "Content-Type: application/json\r\n" +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    `X-Request-Id: ${requestId}\r\n` +
    "X-Content-Type-Options: nosniff\r\n" +
    "Connection: close\r\n\r\n" +
    json
  );
}

/**
 * Handler for the HTTP server's `clientError`: answers in the JSON error shape when nothing of a
 * response was sent on the socket yet (as Node's default handler does, with an empty body), logs
 * one line, and closes the connection.
 */
export function onClientError(logger: Logger) {
  return (err: ClientError, socket: Socket): void => {
    const answer = clientErrorAnswer(err);
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!answer || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    logger.info("request refused by the HTTP parser", {
      requestId,
      status: ERROR_STATUS[answer.code],
      code: err.code,
    });
    socket.end(clientErrorResponse(answer, requestId), () => socket.destroy());
    // A peer that never reads the answer does not keep the socket.
    setTimeout(() => socket.destroy(), 5000).unref();
  };
}
