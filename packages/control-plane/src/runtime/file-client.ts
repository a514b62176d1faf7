// A libSQL client for embedded files on Node with a prepared-statement cache.
//
// Why: @libsql/client prepares every statement anew and builds each row with
// Object.defineProperty; measured here, one indexed join costs ~130 µs through it and ~11 µs on
// a cached statement of the same engine (the `libsql` package it wraps). Authenticated requests
// run one or two such queries, so this is most of the API's CPU time (test/bench/api).
// It implements the part of @libsql/client's Client that drizzle-orm/libsql uses, with the same
// semantics: rows are arrays that also carry column names and batches are atomic. Interactive
// transactions are refused (see transaction() below).
//
// Waiting for the write lock: the engine's calls are synchronous, so SQLite's own busy_timeout
// would wait inside the call with the event loop frozen (5 s of no /healthz while another process
// held the lock; issue 10). Here busy_timeout is 0: a statement that meets a lock fails at once
// with SQLITE_BUSY before changing anything, and is tried again after an asynchronous pause,
// until `busyWaitMs` has passed; then it fails with DatabaseBusyError (a 503 for a request).
import type {
  Client,
  InArgs,
  InStatement,
  InValue,
  ResultSet,
  Row,
  Transaction,
  TransactionMode,
} from "@libsql/client";
import Database from "libsql";
import { DatabaseBusyError } from "../db/busy.ts";

type Db = InstanceType<typeof Database>;
type Stmt = ReturnType<Db["prepare"]>;

const MAX_CACHED = 500;
/** How long a statement waits in all for a lock another process holds, by default. */
export const DEFAULT_BUSY_WAIT_MS = 10_000;
/** Pauses between tries: short at first (most locks last a millisecond), then every 50 ms. */
const BUSY_PAUSES_MS = [1, 2, 5, 10, 20, 50];

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

/**
 * Runs `attempt` (synchronous, all-or-nothing) and, while it fails with SQLITE_BUSY, again after
 * a pause that lets the event loop serve everything else.
 */
async function withBusyRetry<T>(attempt: () => T, busyWaitMs: number): Promise<T> {
  const started = performance.now();
  for (let i = 0; ; i++) {
    try {
      return attempt();
    } catch (err) {
      if (!isBusy(err)) throw err;
      const waited = performance.now() - started;
      if (waited >= busyWaitMs) throw new DatabaseBusyError(waited);
      const pause = BUSY_PAUSES_MS[Math.min(i, BUSY_PAUSES_MS.length - 1)] ?? 50;
      await new Promise((r) => setTimeout(r, Math.min(pause, busyWaitMs - waited)));
    }
  }
}

function toValue(v: InValue | undefined): unknown {
  if (v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof Date) return v.valueOf();
  return v;
}

function normalize(
  stmt: InStatement | [string, InArgs?] | string,
  args?: InArgs,
): { sql: string; args: unknown } {
  if (typeof stmt === "string") return { sql: stmt, args: convertArgs(args) };
  if (Array.isArray(stmt)) return { sql: stmt[0], args: convertArgs(stmt[1]) };
  if (typeof stmt === "object" && "sql" in stmt) return { sql: stmt.sql, args: convertArgs(stmt.args) };
  return { sql: String(stmt), args: [] };
}

function convertArgs(args: InArgs | undefined): unknown {
  if (!args) return [];
  if (Array.isArray(args)) return args.map(toValue);
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, toValue(v)]));
}

class Connection {
  readonly db: Db;
  private readonly cache = new Map<string, { stmt: Stmt; columns: string[] | null }>();

  constructor(path: string) {
    this.db = new Database(path);
    // Never wait inside the engine: withBusyRetry waits without blocking the event loop.
    this.db.exec("PRAGMA busy_timeout = 0");
  }

  run(sql: string, args: unknown): ResultSet {
    let entry = this.cache.get(sql);
    if (!entry) {
      const stmt = this.db.prepare(sql);
      entry = { stmt, columns: stmt.reader ? stmt.columns().map((c) => c.name) : null };
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(sql, entry);
    }
    const { stmt, columns } = entry;
    if (columns) {
      const raw = (stmt.raw(true) as Stmt).all(args as never) as unknown[][];
      const rows = raw.map((values) => {
        const row = values as unknown as Row & Record<string, unknown>;
        for (let i = 0; i < columns.length; i++) {
          const name = columns[i]!;
          if (!(name in row)) row[name] = values[i] as never;
        }
        return row as Row;
      });
      return result(columns, rows, rows.length, undefined);
    }
    const info = stmt.run(args as never);
    return result([], [], info.changes, BigInt(info.lastInsertRowid));
  }

  close() {
    this.cache.clear();
    this.db.close();
  }
}

function result(
  columns: string[],
  rows: Row[],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  return {
    columns,
    columnTypes: columns.map(() => ""),
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({ columns, rows, rowsAffected, lastInsertRowid: lastInsertRowid?.toString() ?? null }),
  };
}

function begin(mode: TransactionMode | undefined): string {
  return mode === "write"
    ? "BEGIN IMMEDIATE"
    : mode === "read"
      ? "BEGIN TRANSACTION READONLY"
      : "BEGIN DEFERRED";
}

/**
 * Runs statements atomically on one connection; all synchronous, so nothing interleaves. Any
 * failure (SQLITE_BUSY on BEGIN or COMMIT too) leaves nothing written, so it may be tried again.
 */
function runBatch(
  conn: Connection,
  stmts: Array<InStatement | [string, InArgs?]>,
  mode?: TransactionMode,
): ResultSet[] {
  conn.db.exec(mode === "write" || mode === undefined ? "BEGIN IMMEDIATE" : begin(mode));
  try {
    const out = stmts.map((s) => {
      const { sql, args } = normalize(s);
      return conn.run(sql, args);
    });
    conn.db.exec("COMMIT");
    return out;
  } catch (err) {
    if (conn.db.inTransaction) conn.db.exec("ROLLBACK");
    throw err;
  }
}

export interface FileClientOptions {
  /** How long a statement waits for a lock held elsewhere before failing (DatabaseBusyError). */
  busyWaitMs?: number;
}

/** Opens an embedded libSQL file as a @libsql/client-compatible Client. */
export function createFileClient(path: string, opts: FileClientOptions = {}): Client {
  const main = new Connection(path);
  const busyWaitMs = opts.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS;
  const retry = <T>(attempt: () => T) => withBusyRetry(attempt, busyWaitMs);
  const client: Client = {
    closed: false,
    protocol: "file",
    async execute(stmt: InStatement | string, args?: InArgs) {
      const n = normalize(stmt, args);
      return retry(() => main.run(n.sql, n.args));
    },
    async batch(stmts, mode) {
      return retry(() => runBatch(main, stmts, mode));
    },
    async migrate(stmts) {
      main.db.exec("PRAGMA foreign_keys = OFF");
      try {
        return await retry(() => runBatch(main, stmts, "write"));
      } finally {
        main.db.exec("PRAGMA foreign_keys = ON");
      }
    },
    async transaction(): Promise<Transaction> {
      // An interactive transaction would hold the write lock across awaits while this process's
      // other queries wait synchronously for it: a deadlock. Services use batch() instead, which
      // is also what remote libSQL and Workers prefer.
      throw new Error("interactive transactions are not supported; use db.batch()");
    },
    async executeMultiple(sql: string) {
      // Not atomic, so not tried again: a lock met half-way fails (nothing here uses it).
      main.db.exec(sql);
    },
    async sync() {
      return undefined;
    },
    close() {
      if (!client.closed) {
        client.closed = true;
        main.close();
      }
    },
    reconnect() {},
  };
  return client;
}
