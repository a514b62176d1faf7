// @libsql/client (its Node build and its web build, the one Workers load) against the server:
// statements, arguments and every value type, as the client's own test suite checks them
// against sqld.
import { type Client, type Config, createClient as nodeClient } from "@libsql/client";
import { createClient as webClient } from "@libsql/client/web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, TOKEN, testServer } from "./support.ts";

let srv: TestServer;
const clients: Client[] = [];

beforeAll(async () => {
  srv = await testServer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await srv?.stop();
});

describe.each([
  ["node build", nodeClient],
  ["web build", webClient],
])("@libsql/client %s", (_name, create) => {
  const client = (extra: Partial<Config> = {}) => {
    const c = create({ url: srv.url, authToken: TOKEN, ...extra });
    clients.push(c);
    return c;
  };

  it("runs a query and names its columns, with declared types from the table", async () => {
    const c = client();
    await c.batch(["DROP TABLE IF EXISTS v", "CREATE TABLE v (i INTEGER, f FLOAT, t TEXT, b BLOB)"], "write");
    const ins = await c.execute("INSERT INTO v VALUES (42, 0.5, 'foo', X'626172')");
    expect(ins.rowsAffected).toBe(1);
    expect(ins.lastInsertRowid).toBe(1n);
    const rs = await c.execute("SELECT i, f, t, b, i * 2 AS twice FROM v");
    expect(rs.columns).toEqual(["i", "f", "t", "b", "twice"]);
    expect(rs.columnTypes).toEqual(["INTEGER", "FLOAT", "TEXT", "BLOB", ""]);
    expect(rs.toJSON().rows).toEqual([[42, 0.5, "foo", "YmFy", 84]]);
    expect(rs.rows[0]?.t).toBe("foo");
    expect(rs.rowsAffected).toBe(0);
    expect(rs.lastInsertRowid).toBeUndefined();
  });

  it("binds ?, ?NNN and named arguments with any prefix", async () => {
    const c = client();
    const pos = await c.execute({ sql: "SELECT ?2, ?3, ?1", args: ["one", "two", "three"] });
    expect(Array.from(pos.rows[0]!)).toEqual(["two", "three", "one"]);
    for (const sign of [":", "@", "$"]) {
      const rs = await c.execute({
        sql: `SELECT ${sign}b, ${sign}a, ${sign}b || ${sign}a, ?1`,
        args: { a: "one", [`${sign}b`]: "two" },
      });
      expect(Array.from(rs.rows[0]!)).toEqual(["two", "one", "twoone", "two"]);
    }
  });

  it("round-trips every value type", async () => {
    const big = client({ intMode: "bigint" });
    const bytes = new Uint8Array(256).map((_, i) => i ^ 0xab);
    const rs = await big.execute({
      sql: "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, typeof(?), typeof(?)",
      args: [
        9223372036854775807n,
        -9223372036854775808n,
        12.345,
        -Number.MAX_VALUE,
        "žluťoučký kůň\n\t",
        null,
        bytes,
        true,
        new Date("2023-01-02T12:34:56Z"),
        42,
        42n,
      ],
    });
    const row = Array.from(rs.rows[0]!);
    expect(row.slice(0, 6)).toEqual([
      9223372036854775807n,
      -9223372036854775808n,
      12.345,
      -Number.MAX_VALUE,
      "žluťoučký kůň\n\t",
      null,
    ]);
    expect(new Uint8Array(row[6] as ArrayBuffer)).toEqual(bytes);
    // true binds as the integer 1; a Date as its milliseconds (a float, as JS numbers are).
    expect(row[7]).toBe(1n);
    expect(row[8]).toBe(1672662896000);
    // A JS number is a float on the wire, a bigint an integer, as with sqld.
    expect(row.slice(9)).toEqual(["real", "integer"]);

    const str = client({ intMode: "string" });
    expect((await str.execute({ sql: "SELECT ? || ''", args: [-9223372036854775808n] })).rows[0]?.[0]).toBe(
      "-9223372036854775808",
    );
    expect((await str.execute("SELECT 42")).rows[0]?.[0]).toBe("42");
  });

  it("refuses an integer a JS number cannot hold in number mode", async () => {
    const c = client({ intMode: "number" });
    expect((await c.execute({ sql: "SELECT ?", args: [9007199254740991n] })).rows[0]?.[0]).toBe(
      9007199254740991,
    );
    await expect(c.execute({ sql: "SELECT ?", args: [9007199254740992n] })).rejects.toThrow(RangeError);
  });

  it("reports rows of INSERT … RETURNING with the rows it changed", async () => {
    const c = client();
    await c.batch(["DROP TABLE IF EXISTS r", "CREATE TABLE r (id INTEGER PRIMARY KEY, a)"], "write");
    const rs = await c.execute("INSERT INTO r (a) VALUES ('x'), ('y') RETURNING id, a");
    expect(rs.rows.map((r) => [r.id, r.a])).toEqual([
      [1, "x"],
      [2, "y"],
    ]);
    expect(rs.rowsAffected).toBe(2);
    expect(rs.lastInsertRowid).toBe(2n);
    const del = await c.execute("WITH gone AS (SELECT 1) DELETE FROM r WHERE id = 1");
    expect(del.rowsAffected).toBe(1);
    expect(del.lastInsertRowid).toBeUndefined();
  });

  it("runs several statements with executeMultiple", async () => {
    const c = client();
    await c.executeMultiple(`
      DROP TABLE IF EXISTS m;
      CREATE TABLE m (a);
      INSERT INTO m VALUES ('one;'); -- a comment; with a semicolon
      INSERT INTO m VALUES ('two');
    `);
    expect((await c.execute("SELECT count(*) AS n FROM m")).rows[0]?.n).toBe(2);
  });

  it("serves a libsql:// URL (?tls=0 for plain HTTP)", async () => {
    const url = srv.url.replace("http://", "libsql://");
    const c = client({ url: `${url}?tls=0` });
    expect((await c.execute("SELECT 'via libsql'")).rows[0]?.[0]).toBe("via libsql");
  });
});
