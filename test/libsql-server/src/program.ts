// Running statements on a stream as sqld runs a "program": each statement compiled first (a bad
// statement fails the whole request), then the steps in order, a step's condition deciding
// whether it runs. A lock held by another stream is waited for without blocking the server.
import { setTimeout as sleep } from "node:timers/promises";
import { poisonedBy, type Query } from "./connection.ts";
import { extendedCode, ProtocolError, StmtError, sqliteError } from "./errors.ts";
import type { BatchCond, BatchResult, SqlValue, Stmt, StmtResult } from "./proto.ts";
import { splitStatements } from "./sql-text.ts";
import type { Stream, StreamRegistry } from "./streams.ts";

/** Hrana's version of the endpoint a request came in on. */
export type Version = 2 | 3;

/** The SQL text a request names by `sql` or by `sql_id` (stored with `store_sql`). */
export function resolveSql(
  stream: Stream,
  sql: string | null | undefined,
  sqlId: number | null | undefined,
): string {
  const hasSql = sql !== null && sql !== undefined;
  const hasId = sqlId !== null && sqlId !== undefined;
  if (hasSql && hasId) throw new ProtocolError("Either `sql` or `sql_id` are required, but not both");
  if (hasSql) return sql;
  if (!hasId) throw new ProtocolError("Either `sql` or `sql_id` are required");
  const stored = stream.sqls.get(sqlId);
  if (stored === undefined) throw new ProtocolError(`SQL text ${sqlId} not found`);
  return stored;
}

/** Checks a statement and its arguments before anything runs (sqld's proto_stmt_to_query). */
export function compileStmt(stream: Stream, stmt: Stmt): Query {
  const sql = resolveSql(stream, stmt.sql, stmt.sql_id);
  const statements = splitStatements(sql);
  if (statements.length === 0)
    throw new StmtError("SQL_NO_STATEMENT", "SQL string does not contain any statement");
  if (statements.length > 1)
    throw new StmtError("SQL_MANY_STATEMENTS", "SQL string contains more than one statement");
  const args = stmt.args ?? [];
  const named = stmt.named_args ?? [];
  if (args.length > 0 && named.length > 0) {
    throw new StmtError(
      "ARGS_BOTH_POSITIONAL_AND_NAMED",
      "Specifying both positional and named arguments is not supported",
    );
  }
  let namedArgs: Record<string, SqlValue> | null = null;
  if (named.length > 0) {
    namedArgs = {};
    for (const a of named) namedArgs[a.name.replace(/^[:@$]/, "")] = a.value;
  }
  return { sql, args, namedArgs, wantRows: stmt.want_rows ?? true };
}

/** Checks a batch step's condition refers only to earlier steps (and to features of `version`). */
function checkCond(cond: BatchCond, step: number, version: Version): void {
  switch (cond.type) {
    case "ok":
    case "error":
      if (cond.step >= step) throw new ProtocolError("Invalid reference to step in a batch condition");
      return;
    case "not":
      checkCond(cond.cond, step, version);
      return;
    case "and":
    case "or":
      for (const c of cond.conds) checkCond(c, step, version);
      return;
    case "is_autocommit":
      if (version < 3) {
        throw new ProtocolError(
          "BatchCond of type `is_autocommit` is only supported in protocol version hrana3 and higher",
        );
      }
  }
}

function evalCond(cond: BatchCond, ran: boolean[], errored: boolean[], autocommit: boolean): boolean {
  switch (cond.type) {
    case "ok":
      return ran[cond.step] === true && errored[cond.step] !== true;
    case "error":
      return errored[cond.step] === true;
    case "not":
      return !evalCond(cond.cond, ran, errored, autocommit);
    case "and":
      return cond.conds.every((c) => evalCond(c, ran, errored, autocommit));
    case "or":
      return cond.conds.some((c) => evalCond(c, ran, errored, autocommit));
    case "is_autocommit":
      return autocommit;
  }
}

export interface Step {
  query: Query;
  cond: BatchCond | null;
}

/** Outcome of each step: a result, an error, or neither when its condition skipped it. */
export interface StepOutcome {
  result: StmtResult | null;
  error: StmtError | null;
}

/** Compiles a batch; a bad statement or condition fails the whole request, as in sqld. */
export function compileBatch(
  stream: Stream,
  steps: { condition?: BatchCond | null; stmt: Stmt }[],
  version: Version,
): Step[] {
  return steps.map((s, i) => {
    if (s.condition) checkCond(s.condition, i, version);
    return { query: compileStmt(stream, s.stmt), cond: s.condition ?? null };
  });
}

/** Runs compiled steps on the stream's connection. */
export async function runProgram(
  registry: StreamRegistry,
  stream: Stream,
  steps: Step[],
): Promise<StepOutcome[]> {
  if (!stream.conn) throw new ProtocolError("Stream for this baton was closed");
  // The stream's transaction was rolled back to free the lock: this whole program fails.
  if (stream.forcedRollback) {
    stream.forcedRollback = false;
    return steps.map(() => ({
      result: null,
      error: new StmtError("TRANSACTION_TIMEOUT", "Transaction timed out"),
    }));
  }
  const ran: boolean[] = [];
  const errored: boolean[] = [];
  const out: StepOutcome[] = [];
  for (const step of steps) {
    const conn = stream.conn;
    if (step.cond && !evalCond(step.cond, ran, errored, conn.autocommit)) {
      ran.push(false);
      errored.push(false);
      out.push({ result: null, error: null });
      continue;
    }
    ran.push(true);
    try {
      const prepared = conn.prepare(step.query);
      out.push({ result: await waitingForLocks(registry, stream, () => conn.run(prepared)), error: null });
      errored.push(false);
    } catch (err) {
      if (poisonedBy(err)) stream.replaceConnection();
      out.push({ result: null, error: sqliteError(err) });
      errored.push(true);
    }
  }
  return out;
}

/**
 * Runs `fn`; while SQLite answers SQLITE_BUSY (another stream holds the lock), waits and tries
 * again, up to the registry's busy timeout (5 s). A stale snapshot (SQLITE_BUSY_SNAPSHOT) cannot succeed later
 * and fails at once, as with a busy handler in SQLite.
 */
async function waitingForLocks<T>(registry: StreamRegistry, stream: Stream, fn: () => T): Promise<T> {
  const deadline = Date.now() + registry.busyTimeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    try {
      return fn();
    } catch (err) {
      if (extendedCode(err) !== "SQLITE_BUSY" || Date.now() >= deadline) throw err;
      registry.stealStaleLocks(stream);
      await sleep(delay);
    }
  }
}

/** `execute`: one statement. */
export async function executeStmt(registry: StreamRegistry, stream: Stream, stmt: Stmt): Promise<StmtResult> {
  const [outcome] = await runProgram(registry, stream, [{ query: compileStmt(stream, stmt), cond: null }]);
  if (outcome?.error) throw outcome.error;
  return outcome!.result!;
}

/** `batch`: steps with conditions; errors of steps are part of the result. */
export async function executeBatch(
  registry: StreamRegistry,
  stream: Stream,
  steps: { condition?: BatchCond | null; stmt: Stmt }[],
  version: Version,
): Promise<BatchResult> {
  const outcomes = await runProgram(registry, stream, compileBatch(stream, steps, version));
  return {
    step_results: outcomes.map((o) => o.result),
    step_errors: outcomes.map((o) => o.error?.toProto() ?? null),
  };
}

/** `sequence`: statements separated by semicolons, no arguments, no rows; stops at the first error. */
export async function executeSequence(registry: StreamRegistry, stream: Stream, sql: string): Promise<void> {
  const steps: Step[] = splitStatements(sql).map((s, i) => ({
    query: { sql: s, args: [], namedArgs: null, wantRows: false },
    cond: i === 0 ? null : { type: "ok", step: i - 1 },
  }));
  const outcomes = await runProgram(registry, stream, steps);
  const failed = outcomes.find((o) => o.error);
  if (failed?.error) throw failed.error;
}
