// Pylon's files on disk are its own: the database (sessions, token hashes, sealed app secrets),
// its WAL and shared-memory files and secret.key are 0600, their folder 0700.
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../lib/logger.ts";

/** Files an embedded database at `dbPath` consists of. */
export function databaseFiles(dbPath: string): string[] {
  return [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`];
}

/**
 * Makes the data folder (0700) and tightens what already exists in it: the database files and
 * secret.key to 0600, the folder to 0700 when it is ours (owned by this user, not a shared
 * sticky folder like /tmp). Call after `process.umask(0o077)`, so what is created later (the
 * WAL and SHM files, a new secret.key) is 0600 too. SQLite gives its WAL and SHM files the
 * mode of the database file, which is why an existing 0644 database is chmodded before opening.
 */
export function secureDataFiles(opts: { dataDirs: string[]; dbPath: string | null; logger: Logger }): void {
  for (const dir of new Set(opts.dataDirs)) {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      continue;
    }
    const st = statSync(dir);
    const ours = typeof process.getuid !== "function" || st.uid === process.getuid();
    if ((st.mode & 0o077) === 0) continue;
    if (ours && (st.mode & 0o1000) === 0) chmodSync(dir, 0o700);
    else
      opts.logger.warn(
        "the data folder can be read by other users; keep Pylon's data in a folder of its own",
        {
          dir,
          mode: (st.mode & 0o7777).toString(8),
        },
      );
  }
  const files = [
    ...(opts.dbPath ? databaseFiles(opts.dbPath) : []),
    ...opts.dataDirs.map((d) => join(d, "secret.key")),
  ];
  for (const file of files) {
    if (!existsSync(file)) continue;
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}
