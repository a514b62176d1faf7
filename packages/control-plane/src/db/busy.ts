/**
 * The database stayed locked by another process (or connection) for longer than this process
 * waits. Routes answer it with 503 and Retry-After; background work logs it and tries again.
 */
export class DatabaseBusyError extends Error {
  override name = "DatabaseBusyError";
  readonly code = "SQLITE_BUSY";
  constructor(readonly waitedMs: number) {
    super(
      `the database is locked by another process; gave up after ${Math.round(waitedMs / 100) / 10} s (SQLITE_BUSY)`,
    );
  }
}

/** True for SQLITE_BUSY from any client (ours, @libsql/client, drizzle's wrapper around either). */
export function isDatabaseBusy(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof DatabaseBusyError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("SQLITE_BUSY")) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
