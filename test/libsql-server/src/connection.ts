// One SQLite connection of the real engine (the `libsql` package), as a Hrana stream uses it:
// statements are run one at a time, values keep their SQLite types (integers as bigint) and
// results and errors come back in sqld's shapes.
import Database from "libsql";
import { prepareError, StmtError, sqliteError } from "./errors.ts";
import { type DescribeResult, type SqlValue, type StmtResult, valueToProto } from "./proto.ts";
import { parameterNames, statementKind } from "./sql-text.ts";

type Engine = InstanceType<typeof Database>;
type EngineStatement = ReturnType<Engine["prepare"]>;

/** A statement ready to run: one SQL statement and its arguments. */
export interface Query {
  sql: string;
  args: SqlValue[];
  /** Named arguments by name without its prefix (the engine binds `:a`, `@a` and `$a` as `a`). */
  namedArgs: Record<string, SqlValue> | null;
  wantRows: boolean;
}

/** A statement prepared on a connection, ready to run (again, after SQLITE_BUSY). */
export interface Prepared {
  query: Query;
  stmt: EngineStatement;
  kind: ReturnType<typeof statementKind>;
}

/**
 * Whether an error leaves the connection unusable. A statement that failed with SQLITE_BUSY or
 * SQLITE_LOCKED stays active in the `libsql` package (it has no reset()), holding its snapshot:
 * later statements on that connection would see stale data, and an autocommit write would stay
 * uncommitted until the stale statement is finalized. Such a connection must be replaced.
 */
export function poisonedBy(err: unknown): boolean {
  const raw = (err as { rawCode?: unknown }).rawCode;
  return typeof raw === "number" && ((raw & 0xff) === 5 || (raw & 0xff) === 6);
}

/** Opens a connection to the database file: foreign keys enforced (as sqld builds SQLite), no busy wait. */
export function openEngine(path: string): Engine {
  const db = new Database(path);
  db.defaultSafeIntegers(true);
  // sqld's SQLite is built with foreign keys on by default (tursodatabase/libsql#981).
  db.exec("PRAGMA foreign_keys = ON");
  // sqld's default durability: in WAL mode a commit does not wait for fsync.
  db.exec("PRAGMA synchronous = NORMAL");
  // A lock conflict must come back at once: the server waits for it asynchronously
  // (see streams.ts), never by blocking its only thread.
  db.exec("PRAGMA busy_timeout = 0");
  return db;
}

export class SqlConnection {
  private readonly db: Engine;
  private changesStmt: EngineStatement | undefined;

  constructor(private readonly path: string) {
    this.db = openEngine(path);
  }

  /** True outside an explicit transaction. */
  get autocommit(): boolean {
    return !this.db.inTransaction;
  }

  /** Prepares a statement and checks its arguments; throws a StmtError. */
  prepare(q: Query): Prepared {
    let stmt: EngineStatement;
    try {
      stmt = this.db.prepare(q.sql);
    } catch (err) {
      throw prepareError(err, q.sql);
    }
    const expected = parameterNames(q.sql).length - 1;
    if (q.args.length > expected) {
      throw new StmtError(
        "ARGS_INVALID",
        `Arguments do not match SQL parameters: the statement takes ${expected}, got ${q.args.length}`,
      );
    }
    return { query: q, stmt, kind: statementKind(q.sql) };
  }

  /**
   * Runs a prepared statement; throws the engine's error. After SQLITE_BUSY the same prepared
   * statement may be run again (it resumes); a new one must not be, see `poisonedBy`.
   */
  run(p: Prepared): StmtResult {
    const { query: q, stmt, kind } = p;
    // One argument, an array or an object: the package binds it by position or by name.
    const bind: object = q.namedArgs ?? q.args;
    if (stmt.reader) {
      const cols = stmt.columns().map((c) => ({ name: c.name, decltype: c.type ?? null }));
      const raw = stmt.raw(true).all(bind) as unknown[][];
      const rows = q.wantRows ? raw.map((r) => r.map(valueToProto)) : [];
      // INSERT … RETURNING is a reader too: ask the connection what it changed.
      const [changes, rowid] = kind.iud ? this.lastChange() : [0, null];
      return {
        cols,
        rows,
        affected_row_count: changes,
        last_insert_rowid: kind.insert ? String(rowid) : null,
      };
    }
    const info = stmt.run(bind);
    return {
      cols: [],
      rows: [],
      affected_row_count: kind.iud ? Number(info.changes) : 0,
      last_insert_rowid: kind.insert ? String(info.lastInsertRowid) : null,
    };
  }

  private lastChange(): [number, bigint] {
    this.changesStmt ??= this.db.prepare("SELECT changes(), last_insert_rowid()").raw(true);
    const [row] = this.changesStmt.all([]) as [bigint, bigint][];
    return [Number(row?.[0] ?? 0), row?.[1] ?? 0n];
  }

  /** Parses and analyses a statement without running it. */
  describe(sql: string): DescribeResult {
    let stmt: EngineStatement;
    try {
      stmt = this.db.prepare(sql);
    } catch (err) {
      throw prepareError(err, sql);
    }
    const kind = statementKind(sql);
    const cols = stmt.reader ? stmt.columns().map((c) => ({ name: c.name, decltype: c.type ?? null })) : [];
    return {
      params: parameterNames(sql)
        .slice(1)
        .map((name) => ({ name })),
      cols,
      is_explain: kind.explain,
      is_readonly: kind.explain || this.readonly(sql),
    };
  }

  /**
   * sqlite3_stmt_readonly(), which the engine package does not expose: whether the statement's
   * program opens a write transaction or a table for writing. EXPLAIN of a writing statement
   * leaves that statement busy in this package, so it runs on a connection of its own.
   */
  private readonly(sql: string): boolean {
    const probe = openEngine(this.path);
    try {
      const ops = probe.prepare(`EXPLAIN ${sql}`).raw(true).all() as unknown[][];
      return !ops.some((op) => op[1] === "OpenWrite" || (op[1] === "Transaction" && Number(op[3]) !== 0));
    } catch (err) {
      throw sqliteError(err);
    } finally {
      probe.close();
    }
  }

  /** Ends any open transaction (rolled back) and closes the connection. */
  close(): void {
    if (this.db.inTransaction) {
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // Closing rolls back as well.
      }
    }
    this.db.close();
  }

  /** Rolls back the open transaction (a transaction that held the write lock too long). */
  rollback(): void {
    if (this.db.inTransaction) this.db.exec("ROLLBACK");
  }
}
