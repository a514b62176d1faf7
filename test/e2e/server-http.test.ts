// HTTP at the edge of the built server: requests Node refuses before the app sees them, answered
// in the API's error shape (raw sockets, as a broken or hostile client sends them), and the
// client address behind a reverse proxy.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type RunningServer, scratchDir, startServer } from "./support/server.ts";

const ADMIN = { PYLON_ADMIN_EMAIL: "admin@example.com", PYLON_ADMIN_PASSWORD: "admin password 123" };

let plain: RunningServer;
let proxied: RunningServer;
const dirs = [scratchDir(), scratchDir()];

beforeAll(async () => {
  [plain, proxied] = await Promise.all([
    startServer(dirs[0]!.dir, ADMIN),
    startServer(dirs[1]!.dir, { ...ADMIN, PYLON_TRUST_PROXY: "1" }),
  ]);
});
afterAll(async () => {
  await Promise.all([plain?.stop(), proxied?.stop()]);
  for (const d of dirs) d.cleanup();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes raw requests on one connection, each after the answer to the one before has arrived,
 * and reads everything until the server closes the connection.
 */
function raw(port: number, ...requests: string[]): Promise<RawAnswer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(requests.shift()!));
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (d) => {
      text += d;
      const next = requests[0];
      if (next !== undefined && parseAnswers(text).length > 0 && socket.writable)
        socket.write(requests.shift()!);
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(parseAnswers(text)));
  });
}

/** Splits a stream of HTTP/1.1 answers with Content-Length bodies. */
function parseAnswers(text: string): RawAnswer[] {
  const out: RawAnswer[] = [];
  let rest = text;
  while (rest.startsWith("HTTP/1.1 ")) {
    const end = rest.indexOf("\r\n\r\n");
    const [statusLine, ...lines] = rest.slice(0, end).split("\r\n");
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
    );
    const length = Number(headers["content-length"] ?? 0);
    out.push({
      status: Number(statusLine!.split(" ")[1]),
      headers,
      body: rest.slice(end + 4, end + 4 + length),
    });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

/** The one JSON error shape, with the request id of the X-Request-Id header. */
function expectErrorShape(answer: RawAnswer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toBe("application/json");
  const body = JSON.parse(answer.body) as { error: { code: string; message: string; requestId: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  expect(body.error.requestId).toBeTruthy();
  expect(body.error.requestId).toBe(answer.headers["x-request-id"]);
  return body.error;
}

describe("requests Node refuses before the app", () => {
  it("a request line over the limit gets a JSON 414", async () => {
    const [answer] = await raw(plain.port, `GET /${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expectErrorShape(answer!, 414, "uri_too_long");
  });

  it("headers over the limit get a JSON 431, without echoing what was sent", async () => {
    const [answer] = await raw(
      plain.port,
      `GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nCookie: pylon_session=${"s".repeat(20_000)}\r\n\r\n`,
    );
    const error = expectErrorShape(answer!, 431, "headers_too_large");
    expect(error.message).not.toContain("sss");
  });

  it("a malformed request gets a JSON 400, also after an answered request on the same connection", async () => {
    const [answer] = await raw(plain.port, "BLAH\r\n\r\n");
    expectErrorShape(answer!, 400, "bad_request");
    const [ok, bad] = await raw(
      plain.port,
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nBad Header: x\r\n\r\n",
    );
    expect(ok!.status).toBe(200);
    expectErrorShape(bad!, 400, "bad_request");
  });

  it("keeps serving afterwards", async () => {
    expect((await fetch(`${plain.url}/healthz`)).status).toBe(200);
    expect(plain.output()).toMatch(/"msg":"request refused by the HTTP parser".*"status":431/);
  });
});

/** Signs in with an X-Forwarded-For header and returns the address the audit log recorded. */
async function auditedIp(server: RunningServer, forwardedFor: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
    body: JSON.stringify({ email: ADMIN.PYLON_ADMIN_EMAIL, password: ADMIN.PYLON_ADMIN_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const admin = new Client(server.url);
  await admin.call("POST", "/api/v1/auth/login", {
    email: ADMIN.PYLON_ADMIN_EMAIL,
    password: ADMIN.PYLON_ADMIN_PASSWORD,
  });
  const audit = await admin.call("GET", "/api/v1/audit?action=auth.login");
  const rows = audit.json.items as { ip: string | null; requestId: string }[];
  const ours = rows.find((r) => r.requestId === res.headers.get("x-request-id"));
  return ours?.ip ?? "(no audit row)";
}

describe("client address behind a proxy", () => {
  it("with PYLON_TRUST_PROXY=1 is the address the proxy appended, not what the client wrote", async () => {
    expect(await auditedIp(proxied, "6.6.6.6, 203.0.113.9")).toBe("203.0.113.9");
  });

  it("without PYLON_TRUST_PROXY, X-Forwarded-For is ignored", async () => {
    expect(await auditedIp(plain, "6.6.6.6, 203.0.113.9")).toBe("127.0.0.1");
  });
});
