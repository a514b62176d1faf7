import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Client } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { createDb, type Db } from "../db/client.ts";
import { createFileClient } from "./file-client.ts";

/** Finds the repository's migrations folder by walking up from `from`. */
export function findMigrations(from: string): string {
  let dir = from;
  for (;;) {
    const candidate = resolve(dir, "migrations");
    if (existsSync(resolve(candidate, "meta/_journal.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no migrations folder above ${from}; set PYLON_MIGRATIONS_DIR`);
    dir = parent;
  }
}

/** The database URL as it may be shown: without credentials or query (`?authToken=` carries one). */
export function databaseLabel(url: string): string {
  return url.replace(/\/\/[^@/?#]*@/, "//").replace(/[?#].*$/, "");
}

/** What went wrong, from the innermost causes (drizzle's "Failed query: …" adds only the SQL). */
function reason(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (!e.message.startsWith("Failed query:") && !parts.some((p) => p.includes(e.message))) {
      parts.push(e.message);
    }
  }
  const text = parts.join(": ") || String(err);
  return /HTTP status 401\b/.test(text) ? `${text} (check PYLON_DATABASE_AUTH_TOKEN)` : text;
}

/**
 * Applies migrations/. Processes starting at once on a fresh database (several behind a load
 * balancer) may all find a migration missing; the ones that lose the race fail on its first
 * CREATE, and find nothing left to do when they read the journal again.
 */
async function applyMigrations(db: Db, migrationsFolder: string): Promise<void> {
  try {
    await migrate(db, { migrationsFolder });
  } catch {
    await migrate(db, { migrationsFolder });
  }
}

/** Opens libSQL (embedded file or remote), tunes an embedded file for several processes, applies migrations. */
export async function openDatabase(opts: {
  url: string;
  authToken?: string;
  migrationsDir: string;
  /** How long an embedded file's statement waits for another process's lock (file-client.ts). */
  busyWaitMs?: number;
}): Promise<{ client: Client; db: Db }> {
  if (opts.url.startsWith("file:")) {
    const path = opts.url.slice("file:".length).split("?")[0] ?? "";
    if (path && path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  }
  const filePath = opts.url.startsWith("file:") ? opts.url.slice("file:".length).split("?")[0] : undefined;
  let client: Client | undefined;
  try {
    client =
      filePath && filePath !== ":memory:"
        ? createFileClient(filePath, { busyWaitMs: opts.busyWaitMs })
        : // Loaded only for a remote (or in-memory) database: an embedded file never needs it.
          (await import("@libsql/client")).createClient({ url: opts.url, authToken: opts.authToken });
    const db = createDb(client);
    if (opts.url.startsWith("file:")) {
      // WAL lets readers run beside one writer. Writers of other processes are waited for by the
      // file client, without blocking the event loop (not by busy_timeout, which would).
      await client.execute("PRAGMA journal_mode = WAL");
      await client.execute("PRAGMA synchronous = NORMAL");
      await client.execute("PRAGMA foreign_keys = ON");
    }
    // A remote libSQL server (sqld, Turso) enforces foreign keys on every connection already.
    await applyMigrations(db, opts.migrationsDir);
    return { client, db };
  } catch (err) {
    client?.close();
    throw new Error(`cannot open the database at ${databaseLabel(opts.url)}: ${reason(err)}`);
  }
}
