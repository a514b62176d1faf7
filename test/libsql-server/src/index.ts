// A libSQL server for tests: Hrana over HTTP (what @libsql/client's HTTP and web builds speak to
// sqld and Turso) on top of the real libSQL engine and a database file.
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { openEngine } from "./connection.ts";
import { hranaServer } from "./http.ts";
import { type StreamOptions, StreamRegistry } from "./streams.ts";

export interface LibsqlServerOptions extends StreamOptions {
  /** The database file (created if missing, switched to WAL). */
  dbPath: string;
  port?: number;
  host?: string;
  /** Clients must send `Authorization: Bearer <authToken>`; none: no authentication. */
  authToken?: string;
  log?: (line: string) => void;
}

export interface LibsqlServer {
  /** http://host:port, the URL to give @libsql/client. */
  url: string;
  port: number;
  /** Streams currently open (not closed, not expired). */
  openStreams: () => number;
  close: () => Promise<void>;
}

/** Starts the server and resolves once it listens. */
export async function startLibsqlServer(opts: LibsqlServerOptions): Promise<LibsqlServer> {
  const dbPath = resolve(opts.dbPath);
  mkdirSync(dirname(dbPath), { recursive: true });
  // WAL, as sqld runs: readers never wait for the writer. This connection stays open while the
  // server runs: when the last connection to a WAL database closes, SQLite checkpoints and removes
  // the WAL, which every one-request stream would otherwise pay for.
  const anchor = openEngine(dbPath);
  anchor.exec("PRAGMA journal_mode = WAL");

  const registry = new StreamRegistry(dbPath, opts);
  const server = hranaServer(registry, { authToken: opts.authToken, log: opts.log });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", fail);
      ok();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    openStreams: () => registry.open,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
        registry.closeAll();
        anchor.close();
      }),
  };
}

export { type LibsqlServerProcess, spawnLibsqlServer } from "./process.ts";
