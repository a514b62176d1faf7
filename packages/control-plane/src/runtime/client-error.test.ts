import { describe, expect, it } from "vitest";
import { clientErrorAnswer, clientErrorResponse } from "./client-error.ts";

const parseError = (code: string, raw = "", reason?: string) =>
  Object.assign(new Error("Parse Error"), { code, reason, rawPacket: Buffer.from(raw, "latin1") });

describe("answers to requests Node's parser refuses", () => {
  it("tells a URL over the limit (414) from headers over it (431)", () => {
    const longUrl = `GET /${"a".repeat(200)} HTTP/1.1\r\nHost: x\r\n\r\n`;
    expect(clientErrorAnswer(parseError("HPE_HEADER_OVERFLOW", longUrl), 100)?.code).toBe("uri_too_long");
    expect(clientErrorAnswer(parseError("HPE_HEADER_OVERFLOW", `GET /${"a".repeat(200)}`), 100)?.code).toBe(
      "uri_too_long",
    );
    const bigHeader = `GET / HTTP/1.1\r\nX-Big: ${"b".repeat(200)}\r\n\r\n`;
    expect(clientErrorAnswer(parseError("HPE_HEADER_OVERFLOW", bigHeader), 100)?.code).toBe(
      "headers_too_large",
    );
    // A later chunk of a slow request: no request line to look at.
    expect(clientErrorAnswer(parseError("HPE_HEADER_OVERFLOW", "bbbbbbbb"), 100)?.code).toBe(
      "headers_too_large",
    );
  });

  it("gives malformed requests a 400 with the parser's reason, never the bytes sent", () => {
    const answer = clientErrorAnswer(
      parseError("HPE_INVALID_HEADER_TOKEN", "GET / HTTP/1.1\r\nSe cret: x", "Invalid header token"),
    );
    expect(answer).toEqual({ code: "bad_request", message: "Malformed HTTP request (Invalid header token)" });
    expect(clientErrorAnswer(parseError("ERR_HTTP_REQUEST_TIMEOUT"))?.code).toBe("request_timeout");
    expect(clientErrorAnswer(parseError("ECONNRESET"))).toBeNull();
  });

  it("writes a complete HTTP answer in the API's error shape", () => {
    const text = clientErrorResponse({ code: "headers_too_large", message: "too big" }, "req-1");
    const [head, body] = text.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(head).toMatch(/\r\nConnection: close/);
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body!)}`);
    expect(head).toContain("X-Request-Id: req-1");
    expect(JSON.parse(body!)).toEqual({
      error: { code: "headers_too_large", message: "too big", requestId: "req-1" },
    });
  });
});
