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
  const client =
    filePath && filePath !== ":memory:"
      ? createFileClient(filePath, { busyWaitMs: opts.busyWaitMs })
      : // Loaded only for a remote (or in-memory) database: an embedded file never needs it.
        (await import("@libsql/client")).createClient({ url: opts.url, authToken: opts.authToken });
  if (opts.url.startsWith("file:")) {
    // WAL lets readers run beside one writer. Writers of other processes are waited for by the
    // file client, without blocking the event loop (not by busy_timeout, which would).
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA synchronous = NORMAL");
    await client.execute("PRAGMA foreign_keys = ON");
  }
  const db = createDb(client);
  await migrate(db, { migrationsFolder: opts.migrationsDir });
  return { client, db };
}
