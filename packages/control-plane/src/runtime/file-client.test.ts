import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "libsql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatabaseBusyError, isDatabaseBusy } from "../db/busy.ts";
import { createFileClient } from "./file-client.ts";

let dir: string;
let client: ReturnType<typeof createFileClient>;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "pylon-fc-"));
  client = createFileClient(join(dir, "t.db"));
  await client.execute("create table t (id integer primary key, name text not null unique, flag integer)");
});
afterEach(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("embedded libSQL client", () => {
  it("returns rows readable by index and by column name, and write counts", async () => {
    const ins = await client.execute({ sql: "insert into t (name, flag) values (?, ?)", args: ["a", true] });
    expect(ins.rowsAffected).toBe(1);
    expect(ins.lastInsertRowid).toBe(1n);
    const rs = await client.execute("select id, name, flag from t where name = ?", ["a"]);
    expect(rs.columns).toEqual(["id", "name", "flag"]);
    expect(rs.rows[0]![1]).toBe("a");
    expect(rs.rows[0]!.name).toBe("a");
    expect(rs.rows[0]!.flag).toBe(1);
    const ret = await client.execute({ sql: "delete from t where name = ? returning id", args: ["a"] });
    expect(ret.rows.map((r) => r.id)).toEqual([1]);
  });

  it("makes a batch atomic: one failing statement undoes the others", async () => {
    await client.execute({ sql: "insert into t (name) values (?)", args: ["x"] });
    await expect(
      client.batch([
        { sql: "insert into t (name) values (?)", args: ["y"] },
        { sql: "insert into t (name) values (?)", args: ["x"] },
      ]),
    ).rejects.toThrow(/UNIQUE/);
    const rs = await client.execute("select name from t order by name");
    expect(rs.rows.map((r) => r.name)).toEqual(["x"]);
  });

  it("keeps working past its statement cache size", async () => {
    for (let i = 0; i < 600; i++) await client.execute({ sql: `select ${i} as n`, args: [] });
    expect((await client.execute("select 1 as n")).rows[0]!.n).toBe(1);
  });

  it("refuses interactive transactions instead of risking a deadlock", async () => {
    await expect(client.transaction("write")).rejects.toThrow(/batch/);
  });
});

describe("a write lock held by another connection", () => {
  /** Another connection to the same file (as another process would have) holding the write lock. */
  function holdLock(): InstanceType<typeof Database> {
    const other = new Database(join(dir, "t.db"));
    other.exec("BEGIN IMMEDIATE");
    return other;
  }

  it("waits without blocking the event loop, then writes once the lock is released", async () => {
    await client.execute("PRAGMA journal_mode = WAL");
    const other = holdLock();
    const started = performance.now();
    const write = client.execute({ sql: "insert into t (name) values (?)", args: ["late"] });
    const batch = client.batch([{ sql: "insert into t (name) values (?)", args: ["late-batch"] }]);
    // Timers keep firing while both writes wait: the longest gap between ticks stays small.
    let last = performance.now();
    let longestGap = 0;
    const tick = setInterval(() => {
      longestGap = Math.max(longestGap, performance.now() - last);
      last = performance.now();
    }, 5);
    await new Promise((r) => setTimeout(r, 600));
    // Readers are not held up by the writer in WAL mode.
    expect((await client.execute("select count(*) as n from t")).rows[0]!.n).toBe(0);
    other.exec("COMMIT");
    other.close();
    await Promise.all([write, batch]);
    clearInterval(tick);
    expect(performance.now() - started).toBeGreaterThanOrEqual(600);
    // A blocked engine call would show a gap of the whole 600 ms; ticks keep coming instead.
    expect(longestGap).toBeLessThan(300);
    const rs = await client.execute("select name from t order by name");
    expect(rs.rows.map((r) => r.name)).toEqual(["late", "late-batch"]);
  });

  it("gives up after busyWaitMs with DatabaseBusyError, having written nothing", async () => {
    const bounded = createFileClient(join(dir, "t.db"), { busyWaitMs: 200 });
    const other = holdLock();
    try {
      const err = await bounded
        .batch([
          { sql: "insert into t (name) values (?)", args: ["a"] },
          { sql: "insert into t (name) values (?)", args: ["b"] },
        ])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseBusyError);
      expect(isDatabaseBusy(new Error("wrapped", { cause: err }))).toBe(true);
      expect(String((err as Error).message)).toMatch(/locked by another process.*SQLITE_BUSY/);
    } finally {
      other.exec("COMMIT");
      other.close();
    }
    expect((await bounded.execute("select count(*) as n from t")).rows[0]!.n).toBe(0);
    // The same cached statements work again once the lock is free.
    await bounded.batch([{ sql: "insert into t (name) values (?)", args: ["a"] }]);
    expect((await bounded.execute("select count(*) as n from t")).rows[0]!.n).toBe(1);
    bounded.close();
  });
});
