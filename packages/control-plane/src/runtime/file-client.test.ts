import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
