// @libsql/client against the server: batches and interactive transactions (atomicity,
// isolation, the baton between requests), errors with sqld's codes, authentication, and
// several clients at once.
import { type Client, createClient, LibsqlBatchError, LibsqlError } from "@libsql/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type TestServer, TOKEN, testServer } from "./support.ts";

let srv: TestServer;
const clients: Client[] = [];
const client = (authToken: string | null = TOKEN) => {
  const c = createClient({ url: srv.url, authToken: authToken ?? undefined });
  clients.push(c);
  return c;
};
const count = async (c: Client, table = "t") =>
  (await c.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n;

beforeAll(async () => {
  srv = await testServer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await srv?.stop();
});
beforeEach(async () => {
  await client().batch(
    [
      "DROP TABLE IF EXISTS t",
      "DROP TABLE IF EXISTS parent",
      "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
      "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, p INTEGER REFERENCES parent (id) ON DELETE CASCADE)",
      "INSERT INTO parent VALUES (1)",
    ],
    "write",
  );
});

describe("batch()", () => {
  it("runs statements in order in one transaction and returns each result", async () => {
    const rss = await client().batch(
      [
        { sql: "INSERT INTO t (email) VALUES (?)", args: ["a@x"] },
        "SELECT email FROM t",
        { sql: "INSERT INTO t (email) VALUES (?)", args: ["b@x"] },
        "SELECT count(*) FROM t",
      ],
      "write",
    );
    expect(rss.map((r) => r.rowsAffected)).toEqual([1, 0, 1, 0]);
    expect(rss[1]?.rows.map((r) => r.email)).toEqual(["a@x"]);
    expect(rss[3]?.rows[0]?.[0]).toBe(2);
  });

  it("rolls the whole batch back when a statement fails, and names it", async () => {
    const c = client();
    await c.execute({ sql: "INSERT INTO t (email) VALUES (?)", args: ["taken@x"] });
    const err = await c
      .batch(
        [
          { sql: "INSERT INTO t (email) VALUES (?)", args: ["new@x"] },
          { sql: "INSERT INTO t (email) VALUES (?)", args: ["taken@x"] },
          { sql: "INSERT INTO t (email) VALUES (?)", args: ["later@x"] },
        ],
        "write",
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibsqlBatchError);
    expect(err).toMatchObject({ code: "SQLITE_CONSTRAINT", statementIndex: 1 });
    expect(String((err as Error).message)).toMatch(/UNIQUE constraint failed: t\.email/);
    expect(await count(c)).toBe(1);
  });

  it("keeps batches atomic when many run at once", async () => {
    const c = client();
    await c.batch([
      "DROP TABLE IF EXISTS t1",
      "DROP TABLE IF EXISTS t2",
      "CREATE TABLE t1 (a)",
      "CREATE TABLE t2 (a)",
    ]);
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const rss = await c.batch(
          [
            { sql: "INSERT INTO t1 VALUES (?)", args: [i] },
            { sql: "INSERT INTO t2 VALUES (?)", args: [i * 10] },
            "SELECT sum(a) FROM t1",
            "SELECT sum(a) FROM t2",
          ],
          "write",
        );
        expect(rss[3]?.rows[0]?.[0]).toBe((rss[2]?.rows[0]?.[0] as number) * 10);
      }),
    );
    expect((await c.execute("SELECT sum(a) FROM t1")).rows[0]?.[0]).toBe((40 * 39) / 2);
  });
});

describe("transaction()", () => {
  it("commits over several requests, and others see the rows only after the commit", async () => {
    const c = client();
    const other = client();
    const tx = await c.transaction("write");
    await tx.execute({ sql: "INSERT INTO t (email) VALUES (?)", args: ["one@x"] });
    await tx.execute({ sql: "INSERT INTO t (email) VALUES (?)", args: ["two@x"] });
    expect(await count(tx as unknown as Client)).toBe(2);
    expect(await count(other)).toBe(0);
    await tx.commit();
    expect(tx.closed).toBe(true);
    expect(await count(other)).toBe(2);
    await expect(tx.execute("SELECT 1")).rejects.toMatchObject({ code: "TRANSACTION_CLOSED" });
  });

  it("rolls back, also after a failed statement inside it", async () => {
    const c = client();
    const tx = await c.transaction("write");
    await tx.execute("INSERT INTO t (email) VALUES ('kept?@x')");
    await expect(tx.execute("INSERT INTO t (email) VALUES (NULL)")).rejects.toMatchObject({
      code: "SQLITE_CONSTRAINT",
    });
    await tx.rollback();
    expect(await count(c)).toBe(0);
  });

  it("makes a second writer wait for the first transaction's commit, not fail", async () => {
    const c = client();
    const tx = await c.transaction("write");
    await tx.execute("INSERT INTO t (email) VALUES ('first@x')");
    const second = client().execute("INSERT INTO t (email) VALUES ('second@x')");
    let settled = false;
    void second.finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBe(false);
    await tx.commit();
    await expect(second).resolves.toMatchObject({ rowsAffected: 1 });
    expect((await c.execute("SELECT email FROM t ORDER BY id")).rows.map((r) => r.email)).toEqual([
      "first@x",
      "second@x",
    ]);
  });
});

describe("errors", () => {
  it("reports SQL errors with sqld's codes", async () => {
    const c = client();
    const cases: [string, string, RegExp][] = [
      ["SELEC 1", "SQL_PARSE_ERROR", /SQL string could not be parsed: near "SELEC": syntax error/],
      ["SELECT foobar", "SQL_INPUT_ERROR", /SQL input error: no such column: foobar \(at offset 7\)/],
      ["SELECT * FROM missing", "SQL_INPUT_ERROR", /no such table: missing \(at offset 14\)/],
      ["INSERT INTO t (email) VALUES (NULL)", "SQLITE_CONSTRAINT", /NOT NULL constraint failed: t\.email/],
      ["INSERT INTO t (email, p) VALUES ('fk@x', 99)", "SQLITE_CONSTRAINT", /FOREIGN KEY constraint failed/],
      ["SELECT 1; SELECT 2", "SQL_MANY_STATEMENTS", /more than one statement/],
      ["  -- nothing", "SQL_NO_STATEMENT", /does not contain any statement/],
    ];
    for (const [sql, code, message] of cases) {
      const err = await c.execute(sql).catch((e: unknown) => e);
      expect(err, sql).toBeInstanceOf(LibsqlError);
      expect(err, sql).toMatchObject({ code });
      expect(String((err as Error).message), sql).toMatch(message);
    }
    await c.execute({ sql: "INSERT INTO t (email) VALUES (?)", args: ["dup@x"] });
    await expect(c.execute({ sql: "INSERT INTO t (email) VALUES (?)", args: ["dup@x"] })).rejects.toThrow(
      /^SQLITE_CONSTRAINT: SQLite error: UNIQUE constraint failed: t\.email$/,
    );
    await expect(c.execute({ sql: "SELECT ?", args: [1, 2] })).rejects.toMatchObject({
      code: "ARGS_INVALID",
    });
  });

  it("enforces foreign keys and cascades, as sqld does by default", async () => {
    const c = client();
    await c.execute("INSERT INTO t (email, p) VALUES ('child@x', 1)");
    await c.execute("DELETE FROM parent WHERE id = 1");
    expect(await count(c)).toBe(0);
  });
});

describe("authentication", () => {
  it("refuses requests without the token or with another one, and never echoes it", async () => {
    for (const token of [null, "wrong-token"]) {
      const err = await client(token)
        .execute("SELECT 1")
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "SERVER_ERROR" });
      expect(String(err)).toMatch(/HTTP status 401/);
      expect(String(err)).not.toContain(TOKEN);
    }
    expect((await client().execute("SELECT 1")).rows[0]?.[0]).toBe(1);
  });
});

describe("several clients", () => {
  it("serve concurrent writers and readers on one database", async () => {
    const writers = Array.from({ length: 5 }, () => client());
    await Promise.all(
      writers.flatMap((w, i) =>
        Array.from({ length: 10 }, (_, j) =>
          w.execute({ sql: "INSERT INTO t (email) VALUES (?)", args: [`w${i}-${j}@x`] }),
        ),
      ),
    );
    const counts = await Promise.all(writers.map((w) => count(w)));
    expect(counts).toEqual([50, 50, 50, 50, 50]);
    expect(srv.openStreams()).toBe(0);
  });
});
