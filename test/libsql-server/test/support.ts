import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LibsqlServer, type LibsqlServerOptions, startLibsqlServer } from "../src/index.ts";

export const TOKEN = "test-token-0123456789abcdef";

export interface TestServer extends LibsqlServer {
  dir: string;
  dbPath: string;
  /** Stops the server and removes its database. */
  stop: () => Promise<void>;
}

/** A server on a fresh database file in a temporary directory. */
export async function testServer(opts: Partial<LibsqlServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "pylon-libsql-"));
  const dbPath = join(dir, "db.sqlite");
  const srv = await startLibsqlServer({ dbPath, authToken: TOKEN, log: () => {}, ...opts });
  return {
    ...srv,
    dir,
    dbPath,
    stop: async () => {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests assert the shape of protocol answers at run time.
type Loose = any;

/** POSTs a JSON body to the server as a raw Hrana client would. */
export async function post(
  srv: { url: string },
  path: string,
  body: unknown,
  token: string | null = TOKEN,
): Promise<{ status: number; type: string; text: string; json: () => Loose }> {
  const res = await fetch(`${srv.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    text,
    json: () => JSON.parse(text),
  };
}

/** Hrana statement helpers for raw requests. */
export const stmt = (sql: string, args: unknown[] = []) => ({ sql, args });
export const int = (n: number | bigint) => ({ type: "integer", value: String(n) });
export const text = (value: string) => ({ type: "text", value });
