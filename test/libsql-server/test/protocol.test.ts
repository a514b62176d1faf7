// The wire protocol as a raw Hrana client sees it: batons, stored SQL, describe, Hrana 3's
// autocommit checks and cursor, and the HTTP answers for what a correct client never sends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { int, post, stmt, type TestServer, TOKEN, testServer, text } from "./support.ts";

let srv: TestServer;

beforeAll(async () => {
  srv = await testServer();
  await post(srv, "/v2/pipeline", {
    baton: null,
    requests: [
      { type: "execute", stmt: stmt("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)") },
      { type: "close" },
    ],
  });
});
afterAll(async () => {
  await srv?.stop();
});

describe("streams and batons", () => {
  it("keeps a stream's connection between requests with a new baton each time", async () => {
    const first = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        { type: "execute", stmt: stmt("BEGIN") },
        { type: "execute", stmt: stmt("INSERT INTO kv VALUES ('a', 1)") },
      ],
    });
    expect(first.status).toBe(200);
    const b1 = first.json().baton as string;
    expect(b1).toMatch(/^[A-Za-z0-9+/]{64}$/);
    expect(first.json().base_url).toBeNull();

    const second = await post(srv, "/v2/pipeline", {
      baton: b1,
      requests: [{ type: "execute", stmt: stmt("SELECT v FROM kv WHERE k = 'a'") }],
    });
    expect(second.json().results[0].response.result.rows).toEqual([[int(1)]]);
    const b2 = second.json().baton as string;
    expect(b2).not.toBe(b1);

    // The old baton is spent; using it again is a protocol error and ends the stream.
    const reused = await post(srv, "/v2/pipeline", { baton: b1, requests: [] });
    expect(reused).toMatchObject({
      status: 400,
      type: "text/plain",
      text: "Received a baton that has already been used",
    });

    const forged = await post(srv, "/v2/pipeline", { baton: `${b2.slice(0, 60)}AAAA`, requests: [] });
    expect(forged).toMatchObject({ status: 400, text: "Received an invalid baton" });
    // A refused baton leaves the stream as it was: the right one still works.
    const last = await post(srv, "/v2/pipeline", {
      baton: b2,
      requests: [{ type: "execute", stmt: stmt("ROLLBACK") }, { type: "close" }],
    });
    expect(last.json()).toMatchObject({ baton: null, results: [{ type: "ok" }, { type: "ok" }] });
  });

  it("closes a stream with `close` (its transaction rolled back) and answers a null baton", async () => {
    const res = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        { type: "execute", stmt: stmt("BEGIN") },
        { type: "execute", stmt: stmt("INSERT INTO kv VALUES ('gone', 1)") },
        { type: "close" },
      ],
    });
    expect(res.json().baton).toBeNull();
    expect(res.json().results.map((r: { type: string }) => r.type)).toEqual(["ok", "ok", "ok"]);
    const check = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        { type: "execute", stmt: stmt("SELECT count(*) FROM kv WHERE k = 'gone'") },
        { type: "close" },
      ],
    });
    expect(check.json().results[0].response.result.rows).toEqual([[int(0)]]);
  });

  it("runs every request of a pipeline, errors included, in order", async () => {
    const res = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        { type: "execute", stmt: stmt("SELECT nope FROM kv") },
        { type: "execute", stmt: { sql: "SELECT ? + 1", args: [int(41)], want_rows: true } },
        { type: "execute", stmt: { sql: "SELECT 1", want_rows: false } },
        { type: "close" },
      ],
    });
    const [err, ok, noRows] = res.json().results;
    expect(err).toEqual({
      type: "error",
      error: { message: "SQL input error: no such column: nope (at offset 7)", code: "SQL_INPUT_ERROR" },
    });
    expect(ok.response.result).toEqual({
      cols: [{ name: "? + 1", decltype: null }],
      rows: [[int(42)]],
      affected_row_count: 0,
      last_insert_rowid: null,
    });
    expect(noRows.response.result.rows).toEqual([]);
  });
});

describe("stored SQL and describe", () => {
  it("stores SQL texts per stream and runs them by id", async () => {
    const res = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        { type: "store_sql", sql_id: 1, sql: "INSERT INTO kv VALUES (?, ?)" },
        { type: "execute", stmt: { sql_id: 1, args: [text("s1"), int(7)] } },
        { type: "sequence", sql: "INSERT INTO kv VALUES ('q1', 1); INSERT INTO kv VALUES ('q2', 2)" },
        { type: "close_sql", sql_id: 1 },
        { type: "execute", stmt: stmt("SELECT rowid FROM kv WHERE k = 's1'") },
      ],
    });
    expect(res.json().results.map((r: { type: string }) => r.type)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    const rowid = res.json().results[4].response.result.rows[0][0].value;
    expect(res.json().results[1].response.result).toMatchObject({
      affected_row_count: 1,
      last_insert_rowid: rowid,
    });
    const gone = await post(srv, "/v2/pipeline", {
      baton: res.json().baton,
      requests: [{ type: "execute", stmt: { sql_id: 1 } }],
    });
    expect(gone).toMatchObject({ status: 400, text: "SQL text 1 not found" });
    const twice = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        { type: "store_sql", sql_id: 5, sql: "SELECT 1" },
        { type: "store_sql", sql_id: 5, sql: "SELECT 2" },
      ],
    });
    expect(twice).toMatchObject({ status: 400, text: "SQL text 5 already exists" });
  });

  it("describes a statement without running it", async () => {
    const res = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        { type: "describe", sql: "SELECT k, v + 1 AS next FROM kv WHERE k = :key AND v > ?3" },
        { type: "describe", sql: "INSERT INTO kv VALUES (?, ?)" },
        { type: "describe", sql: "EXPLAIN SELECT 1" },
        { type: "describe", sql: "SELECT * FROM nowhere" },
        { type: "close" },
      ],
    });
    const [select, insert, explain, bad] = res.json().results;
    expect(select.response.result).toEqual({
      params: [{ name: ":key" }, { name: null }, { name: "?3" }],
      cols: [
        { name: "k", decltype: "TEXT" },
        { name: "next", decltype: null },
      ],
      is_explain: false,
      is_readonly: true,
    });
    expect(insert.response.result).toMatchObject({
      params: [{ name: null }, { name: null }],
      is_readonly: false,
    });
    expect(explain.response.result).toMatchObject({ is_explain: true, is_readonly: true });
    expect(bad.error.code).toBe("SQL_INPUT_ERROR");
    const count = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        { type: "execute", stmt: stmt("SELECT count(*) FROM kv WHERE v IS NULL") },
        { type: "close" },
      ],
    });
    expect(count.json().results[0].response.result.rows).toEqual([[int(0)]]);
  });
});

describe("batches", () => {
  it("runs steps by their conditions and reports each step's result or error", async () => {
    const steps = [
      { stmt: stmt("BEGIN") },
      { condition: { type: "ok", step: 0 }, stmt: stmt("INSERT INTO kv VALUES ('b1', 1)") },
      { condition: { type: "ok", step: 1 }, stmt: stmt("INSERT INTO kv VALUES ('b1', 2)") },
      { condition: { type: "ok", step: 2 }, stmt: stmt("COMMIT") },
      { condition: { type: "not", cond: { type: "ok", step: 3 } }, stmt: stmt("ROLLBACK") },
      {
        condition: {
          type: "and",
          conds: [
            { type: "error", step: 2 },
            { type: "or", conds: [{ type: "ok", step: 4 }] },
          ],
        },
        stmt: stmt("SELECT 'rolled back'"),
      },
    ];
    const res = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [{ type: "batch", batch: { steps } }, { type: "close" }],
    });
    const result = res.json().results[0].response.result;
    expect(result.step_results.map((r: unknown) => r !== null)).toEqual([
      true,
      true,
      false,
      false,
      true,
      true,
    ]);
    expect(result.step_errors.map((e: { code: string } | null) => e?.code ?? null)).toEqual([
      null,
      null,
      "SQLITE_CONSTRAINT",
      null,
      null,
      null,
    ]);
    expect(result.step_errors[2].message).toBe("SQLite error: UNIQUE constraint failed: kv.k");
  });

  it("refuses a condition on a later step and, in Hrana 2, is_autocommit", async () => {
    const later = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        { type: "batch", batch: { steps: [{ condition: { type: "ok", step: 0 }, stmt: stmt("SELECT 1") }] } },
      ],
    });
    expect(later).toMatchObject({ status: 400, text: "Invalid reference to step in a batch condition" });
    const v2 = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        {
          type: "batch",
          batch: { steps: [{ condition: { type: "is_autocommit" }, stmt: stmt("SELECT 1") }] },
        },
      ],
    });
    expect(v2.status).toBe(400);
    expect(v2.text).toMatch(/is_autocommit.*hrana3/);
  });

  it("fails the whole batch request for a statement that cannot be compiled", async () => {
    const res = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        {
          type: "batch",
          batch: {
            steps: [
              { stmt: stmt("INSERT INTO kv VALUES ('never', 1)") },
              { stmt: stmt("SELECT 1; SELECT 2") },
            ],
          },
        },
        { type: "close" },
      ],
    });
    expect(res.json().results[0]).toEqual({
      type: "error",
      error: { message: "SQL string contains more than one statement", code: "SQL_MANY_STATEMENTS" },
    });
  });
});

describe("Hrana 3", () => {
  it("answers get_autocommit and is_autocommit conditions on v3 only", async () => {
    const res = await post(srv, "/v3/pipeline", {
      baton: null,
      requests: [
        { type: "get_autocommit" },
        {
          type: "batch",
          batch: {
            steps: [
              { stmt: stmt("BEGIN") },
              { stmt: stmt("ROLLBACK") },
              {
                condition: { type: "not", cond: { type: "is_autocommit" } },
                stmt: stmt("INSERT INTO kv VALUES ('v3', 1)"),
              },
            ],
          },
        },
        { type: "get_autocommit" },
        { type: "close" },
      ],
    });
    const [before, batch, after] = res.json().results;
    expect(before.response).toEqual({ type: "get_autocommit", is_autocommit: true });
    expect(batch.response.result.step_results[2]).toBeNull();
    expect(after.response.is_autocommit).toBe(true);
    const v2 = await post(srv, "/v2/pipeline", { baton: null, requests: [{ type: "get_autocommit" }] });
    expect(v2.status).toBe(400);
  });

  it("streams a batch through v3/cursor as lines of JSON", async () => {
    const res = await post(srv, "/v3/cursor", {
      baton: null,
      batch: {
        steps: [
          { stmt: stmt("VALUES (1, 'one'), (2, 'two')") },
          { stmt: stmt("SELECT missing") },
          { condition: { type: "ok", step: 1 }, stmt: stmt("SELECT 'skipped'") },
        ],
      },
    });
    expect(res.type).toBe("text/plain");
    const lines = res.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ baton: expect.any(String), base_url: null });
    expect(lines.slice(1).map((l) => l.type)).toEqual(["step_begin", "row", "row", "step_end", "step_error"]);
    expect(lines[2].row).toEqual([int(1), text("one")]);
    expect(lines[5]).toMatchObject({ step: 1, error: { code: "SQL_INPUT_ERROR" } });
    await post(srv, "/v3/pipeline", { baton: lines[0].baton, requests: [{ type: "close" }] });
  });
});

describe("HTTP", () => {
  it("answers version probes and refuses unknown routes and malformed bodies", async () => {
    for (const path of ["/v2", "/v3"]) expect((await fetch(`${srv.url}${path}`)).status).toBe(200);
    expect((await fetch(`${srv.url}/v3-protobuf`)).status).toBe(404);
    expect((await fetch(`${srv.url}/v2/pipeline`)).status).toBe(404);
    expect((await post(srv, "/v1/execute", {})).status).toBe(404);
    const notJson = await post(srv, "/v2/pipeline", "{nope");
    expect(notJson.status).toBe(400);
    expect(notJson.text).toMatch(/^Cannot deserialize client message from JSON/);
    const badValue = await post(srv, "/v2/pipeline", {
      baton: null,
      requests: [
        {
          type: "execute",
          stmt: { sql: "SELECT ?", args: [{ type: "integer", value: "9223372036854775808" }] },
        },
      ],
    });
    expect(badValue.status).toBe(400);
    expect(badValue.text).toMatch(/64-bit/);
  });

  it("refuses a missing or wrong bearer token with 401 before reading the request", async () => {
    for (const token of [null, "nope", `${TOKEN}x`]) {
      const res = await post(srv, "/v2/pipeline", { baton: null, requests: [] }, token);
      expect(res.status).toBe(401);
      expect(res.type).toBe("application/json");
      expect(res.text).not.toContain(TOKEN);
    }
  });
});
