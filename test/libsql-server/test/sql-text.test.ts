import { describe, expect, it } from "vitest";
import { parameterNames, splitStatements, statementKind } from "../src/sql-text.ts";

describe("splitStatements", () => {
  it("splits at semicolons outside strings, identifiers and comments", () => {
    expect(
      splitStatements(`INSERT INTO "a;b" VALUES ('x;y', [c;d], \`e;f\`); -- one; two
        /* three; */ SELECT 1;;  `),
    ).toEqual([
      `INSERT INTO "a;b" VALUES ('x;y', [c;d], \`e;f\`)`,
      "-- one; two\n        /* three; */ SELECT 1",
    ]);
  });

  it("keeps a trigger body whole until END;", () => {
    const trigger = `CREATE TEMP TRIGGER t AFTER INSERT ON a BEGIN
      UPDATE b SET n = n + 1; INSERT INTO c VALUES (CASE WHEN 1 THEN 2 END);
    END`;
    expect(splitStatements(`${trigger}; SELECT 2`)).toEqual([trigger, "SELECT 2"]);
  });

  it("finds no statement in whitespace and comments", () => {
    expect(splitStatements("  -- nothing\n /* here */ ; ")).toEqual([]);
  });

  it("keeps doubled quotes inside strings", () => {
    expect(splitStatements("SELECT 'it''s; fine'; SELECT 2")).toEqual(["SELECT 'it''s; fine'", "SELECT 2"]);
  });
});

describe("parameterNames", () => {
  it("numbers parameters as SQLite does", () => {
    expect(parameterNames("SELECT ?, :a, ?5, @b, :a, ?, $c")).toEqual([
      null,
      null,
      ":a",
      null,
      null,
      "?5",
      "@b",
      null,
      "$c",
    ]);
  });

  it("ignores what looks like parameters in strings and comments", () => {
    expect(parameterNames("SELECT '?', \":x\" -- ?\n, ?")).toEqual([null, null]);
  });
});

describe("statementKind", () => {
  it("tells writes that report changes from other statements", () => {
    expect(statementKind("insert into t values (1)")).toEqual({ iud: true, insert: true, explain: false });
    expect(statementKind("REPLACE INTO t VALUES (1)")).toMatchObject({ iud: true, insert: true });
    expect(statementKind("UPDATE t SET a = 1")).toMatchObject({ iud: true, insert: false });
    expect(statementKind("/* c */ DELETE FROM t")).toMatchObject({ iud: true, insert: false });
    expect(
      statementKind("WITH x(a) AS (SELECT 2 FROM (SELECT 1)) INSERT INTO t SELECT a FROM x"),
    ).toMatchObject({
      iud: true,
      insert: true,
    });
    expect(statementKind("WITH x AS (DELETE FROM t) SELECT 1")).toMatchObject({ iud: false });
    expect(statementKind("SELECT 1")).toMatchObject({ iud: false, insert: false });
    expect(statementKind("CREATE TABLE t (a)")).toMatchObject({ iud: false });
    expect(statementKind("EXPLAIN SELECT 1")).toMatchObject({ explain: true });
  });
});
