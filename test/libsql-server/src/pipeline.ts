// `POST v2/pipeline`, `POST v3/pipeline` and `POST v3/cursor`: the requests of one HTTP request,
// run in order on one stream (libsql-server src/hrana/http/{mod,request}.rs).
import { ProtocolError, StmtError } from "./errors.ts";
import {
  compileBatch,
  executeBatch,
  executeSequence,
  executeStmt,
  resolveSql,
  runProgram,
  type Version,
} from "./program.ts";
import type { Batch, StreamRequest } from "./proto.ts";
import type { Stream, StreamRegistry } from "./streams.ts";

const MAX_STORED_SQL = 50;
const MAX_STORED_SQL_BYTES = 5000;

type StreamResult = { type: "ok"; response: Record<string, unknown> } | { type: "error"; error: object };

function needConn(stream: Stream) {
  if (!stream.conn) throw new ProtocolError("Stream for this baton was closed");
  return stream.conn;
}

async function handle(
  registry: StreamRegistry,
  stream: Stream,
  req: StreamRequest,
  version: Version,
): Promise<Record<string, unknown>> {
  switch (req.type) {
    case "close":
      stream.close();
      return { type: "close" };
    case "execute":
      needConn(stream);
      return { type: "execute", result: await executeStmt(registry, stream, req.stmt) };
    case "batch":
      needConn(stream);
      return { type: "batch", result: await executeBatch(registry, stream, req.batch.steps, version) };
    case "sequence":
      needConn(stream);
      await executeSequence(registry, stream, resolveSql(stream, req.sql, req.sql_id));
      return { type: "sequence" };
    case "describe": {
      const conn = needConn(stream);
      return { type: "describe", result: conn.describe(resolveSql(stream, req.sql, req.sql_id)) };
    }
    case "store_sql": {
      if (stream.sqls.has(req.sql_id)) throw new ProtocolError(`SQL text ${req.sql_id} already exists`);
      if (stream.sqls.size >= MAX_STORED_SQL) {
        throw new StmtError(
          "SQL_STORE_TOO_MANY",
          `The server already stores ${stream.sqls.size} SQL texts, it cannot store more`,
        );
      }
      const size = Buffer.byteLength(req.sql);
      if (size > MAX_STORED_SQL_BYTES) {
        throw new StmtError(
          "SQL_STORE_TOO_LARGE",
          `The statement is too large to be stored: ${size} B/${MAX_STORED_SQL_BYTES} B`,
        );
      }
      stream.sqls.set(req.sql_id, req.sql);
      return { type: "store_sql" };
    }
    case "close_sql":
      stream.sqls.delete(req.sql_id);
      return { type: "close_sql" };
    case "get_autocommit":
      if (version < 3) {
        throw new ProtocolError(
          "The `get_autocommit` request is only supported in protocol version hrana3 and higher",
        );
      }
      return { type: "get_autocommit", is_autocommit: needConn(stream).autocommit };
  }
}

/** Runs a pipeline; a protocol error drops the stream and propagates (HTTP 400). */
export async function runPipeline(
  registry: StreamRegistry,
  body: { baton?: string | null; requests: StreamRequest[] },
  version: Version,
): Promise<{ baton: string | null; base_url: null; results: StreamResult[] }> {
  const stream = registry.acquire(body.baton);
  const results: StreamResult[] = [];
  try {
    for (const req of body.requests) {
      try {
        results.push({ type: "ok", response: await handle(registry, stream, req, version) });
      } catch (err) {
        if (!(err instanceof StmtError)) throw err;
        results.push({ type: "error", error: err.toProto() });
      }
    }
  } catch (err) {
    registry.drop(stream);
    throw err;
  }
  return { baton: registry.release(stream), base_url: null, results };
}

/**
 * Runs a batch for `v3/cursor` and returns the response lines: the baton first, then for each
 * executed step `step_begin`, its rows and `step_end`, or `step_error`; `error` if the batch
 * could not run at all.
 */
export async function runCursor(
  registry: StreamRegistry,
  body: { baton?: string | null; batch: Batch },
): Promise<object[]> {
  const stream = registry.acquire(body.baton);
  const entries: object[] = [];
  try {
    const outcomes = await runProgram(registry, stream, compileBatch(stream, body.batch.steps, 3));
    outcomes.forEach((o, step) => {
      if (o.error) entries.push({ type: "step_error", step, error: o.error.toProto() });
      if (!o.result) return;
      entries.push({ type: "step_begin", step, cols: o.result.cols });
      for (const row of o.result.rows) entries.push({ type: "row", row });
      entries.push({
        type: "step_end",
        affected_row_count: o.result.affected_row_count,
        last_insert_rowid: o.result.last_insert_rowid,
      });
    });
  } catch (err) {
    if (!(err instanceof StmtError)) {
      registry.drop(stream);
      throw err;
    }
    entries.push({ type: "error", error: err.toProto() });
  }
  return [{ baton: registry.release(stream), base_url: null }, ...entries];
}
