// The errors a Hrana server reports, with sqld's codes and message shapes (libsql-server
// src/hrana/{stmt,batch,mod}.rs): statement errors travel inside a 200 response as
// `{message, code}`; protocol errors end the HTTP request with 400 and a text body; an expired
// stream is a 500 with a JSON `{message, code}`.

/** An error of one statement or request, reported to the client as Hrana's `Error`. */
export class StmtError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  toProto(): { message: string; code: string } {
    return { message: this.message, code: this.code };
  }
}

/** A request a correct client never sends: answered with HTTP 400 and the message as text. */
export class ProtocolError extends Error {}

/** The stream behind a baton is gone for a reason a correct client can meet (HTTP 500, JSON). */
export class StreamExpiredError extends Error {
  readonly code = "STREAM_EXPIRED";
  constructor() {
    super("The stream has expired due to inactivity");
  }
}

// Primary result codes by number (https://sqlite.org/rescode.html); sqld reports only these,
// never the extended ones (SQLITE_CONSTRAINT, not SQLITE_CONSTRAINT_UNIQUE).
const PRIMARY: Record<number, string> = {
  1: "SQLITE_ERROR",
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  12: "SQLITE_NOTFOUND",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  15: "SQLITE_PROTOCOL",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  22: "SQLITE_NOLFS",
  23: "SQLITE_AUTH",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
};

interface EngineError {
  message: string;
  code?: unknown;
  rawCode?: unknown;
}

function isEngineError(err: unknown): err is EngineError {
  return err instanceof Error && typeof (err as EngineError).rawCode === "number";
}

/** The engine's extended code name (e.g. SQLITE_BUSY_SNAPSHOT), if `err` came from SQLite. */
export function extendedCode(err: unknown): string | undefined {
  return isEngineError(err) && typeof err.code === "string" ? err.code : undefined;
}

/** A failure while running a prepared statement, as sqld reports it. */
export function sqliteError(err: unknown): StmtError {
  if (err instanceof StmtError) return err;
  if (!isEngineError(err)) return new StmtError("SQLITE_UNKNOWN", `SQLite error: ${String(err)}`);
  const code = PRIMARY[(err.rawCode as number) & 0xff] ?? "SQLITE_UNKNOWN";
  return new StmtError(code, `SQLite error: ${err.message}`);
}

/**
 * A failure to prepare `sql`. sqld parses SQL itself first, so a syntax error is
 * SQL_PARSE_ERROR; an error SQLite can point into the text at (no such table/column) is
 * SQL_INPUT_ERROR "… (at offset N)"; anything else is the SQLite error.
 */
export function prepareError(err: unknown, sql: string): StmtError {
  if (!isEngineError(err)) return sqliteError(err);
  const message = err.message;
  if (/syntax error|incomplete input|unrecognized token/.test(message)) {
    return new StmtError("SQL_PARSE_ERROR", `SQL string could not be parsed: ${message}`);
  }
  const named = /: ([^\s:]+)$/.exec(message)?.[1];
  const offset = named ? findWord(sql, named.includes(".") ? named.split(".").pop()! : named) : -1;
  if (offset >= 0)
    return new StmtError("SQL_INPUT_ERROR", `SQL input error: ${message} (at offset ${offset})`);
  return sqliteError(err);
}

function findWord(sql: string, word: string): number {
  const re = new RegExp(
    `(?<![A-Za-z0-9_])${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9_])`,
    "i",
  );
  return re.exec(sql)?.index ?? -1;
}
