import fc from "fast-check";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../app.ts";
import { DatabaseBusyError } from "../db/busy.ts";
import type { AppEnv } from "../env.ts";
import { silentLogger } from "../lib/logger.ts";
import { type Harness, makeHarness, type TestResponse } from "../testing/harness.ts";
import { onError } from "./errors.ts";

let h: Harness;
let admin: string;
let ops: { method: string; path: string }[];
beforeAll(async () => {
  h = await makeHarness();
  admin = await h.token(await h.user("admin"), ["admin"]);
  const doc = await (await h.call("GET", "/api/v1/openapi.json")).json();
  ops = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) =>
    Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })),
  );
});
afterAll(() => h.close());

async function expectErrorShape(res: TestResponse, status: number, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = await res.json();
  expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  expect(typeof body.error.message).toBe("string");
  if (code) expect(body.error.code).toBe(code);
  return body;
}

describe("error shape", () => {
  it("404 for unknown API paths", async () => {
    await expectErrorShape(await h.call("GET", "/api/v1/nope"), 404, "not_found");
    await expectErrorShape(await h.call("GET", "/totally/unknown"), 404, "not_found");
  });

  it("405 with Allow for a known path under the wrong method", async () => {
    const res = await h.call("PUT", "/api/v1/users", { as: admin });
    const body = await expectErrorShape(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
    expect(body.error.message).toMatch(/PUT/);
    await expectErrorShape(await h.call("POST", "/api/v1/users/usr_abc"), 405, "method_not_allowed");
  });

  it("400 for malformed JSON", async () => {
    const res = await h.call("POST", "/api/v1/users", { as: admin, body: '{"email": ' });
    await expectErrorShape(res, 400, "malformed_json");
  });

  it("413 for a body over the limit", async () => {
    const big = JSON.stringify({ name: "x".repeat(MAX_BODY_BYTES + 10), scopes: ["read"] });
    await expectErrorShape(
      await h.call("POST", "/api/v1/tokens", { as: admin, body: big }),
      413,
      "payload_too_large",
    );
  });

  it("415 for a body that is not JSON", async () => {
    const res = await h.call("POST", "/api/v1/tokens", {
      as: admin,
      body: "name=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    await expectErrorShape(res, 415, "unsupported_media_type");
  });

  it("400 naming every bad field", async () => {
    const res = await h.call("POST", "/api/v1/users", {
      as: admin,
      body: { email: "not-an-email", name: "", role: "root", password: "short", extra: 1 },
    });
    const body = await expectErrorShape(res, 400, "validation_failed");
    const paths = body.error.details.fields.map((f: { path: string }) => f.path).sort();
    expect(paths).toEqual(["email", "extra", "name", "password", "role"]);
    expect(body.error.message).toMatch(/email .*must be an email/);
  });

  it("every response carries a request id", async () => {
    for (const path of ["/healthz", "/api/v1/setup", "/api/v1/openapi.json", "/nope"]) {
      expect((await h.call("GET", path)).headers.get("x-request-id")).toMatch(/.+/);
    }
  });

  it("an unexpected failure is a bare 500 with no stack trace", async () => {
    const broken = await makeHarness();
    try {
      const tok = await broken.token(await broken.user("admin"), ["admin"]);
      broken.deps.db.$client.close();
      const res = await broken.call("GET", "/api/v1/users", { as: tok });
      const body = await expectErrorShape(res, 500, "internal");
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|Error:|libsql/i);
    } finally {
      broken.close();
    }
  });
});

describe("a database locked elsewhere for too long", () => {
  it("answers 503 with Retry-After and the error shape, not a 500", async () => {
    const app = new Hono<AppEnv>();
    app.onError(onError);
    app.use(async (c, next) => {
      c.set("requestId", "req-1");
      c.set("deps", { logger: silentLogger } as AppEnv["Variables"]["deps"]);
      await next();
    });
    // drizzle wraps the client's error ("Failed query: …", cause).
    app.post("/write", () => {
      throw new Error("Failed query: insert …", { cause: new DatabaseBusyError(10_000) });
    });
    const res = (await app.request("/write", { method: "POST" })) as TestResponse;
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    const body = await res.json();
    expect(body.error).toEqual({
      code: "unavailable",
      message: "The database is busy (locked by another process); try again shortly",
      requestId: "req-1",
    });
  });
});

describe("generated bad input against every route", () => {
  const junk = fc.oneof(
    fc.string({ maxLength: 2000 }),
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.json(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .dictionary(
        fc.constantFrom(
          "email",
          "password",
          "name",
          "role",
          "scopes",
          "token",
          "expiresInDays",
          "disabled",
          "currentPassword",
          "newPassword",
          "__proto__",
          "constructor",
        ),
        fc.oneof(
          fc.string({ maxLength: 5000 }),
          fc.integer(),
          fc.double(),
          fc.boolean(),
          fc.constant(null),
          fc.array(fc.string(), { maxLength: 5 }),
        ),
      )
      .map((o) => JSON.stringify(o)),
  );
  const segment = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.constant("usr_aaaaaaaaaaaaaaaa"),
    fc.string({ unit: "grapheme", maxLength: 50 }),
  );

  it("never answers 5xx and always uses the error shape", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ops),
        junk,
        segment,
        fc.boolean(),
        async (op, body, seg, asAdmin) => {
          const path = op.path.replace(/\{\w+\}/g, encodeURIComponent(seg) || "x");
          const withBody = ["POST", "PUT", "PATCH"].includes(op.method);
          const query =
            op.method === "GET"
              ? `?limit=${encodeURIComponent(seg)}&since=${encodeURIComponent(seg)}&all=${encodeURIComponent(seg)}`
              : "";
          const res = await h.call(op.method, path + query, {
            as: asAdmin ? admin : undefined,
            body: withBody ? body : undefined,
            headers: withBody ? { "content-type": "application/json" } : {},
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            const b = await res.json();
            expect(b.error.code).toEqual(expect.any(String));
            expect(b.error.requestId).toEqual(expect.any(String));
          } else {
            await res.arrayBuffer();
          }
        },
      ),
      { numRuns: 400, seed: 20261121 },
    );
  }, 120_000);
});
