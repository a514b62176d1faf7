import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { databaseLabel, findMigrations, openDatabase } from "./database.ts";

const migrationsDir = findMigrations(import.meta.dirname);
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pylon-db-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("openDatabase", () => {
  it("lets processes that open a fresh database at once all start", async () => {
    const url = `file:${join(dir, "pylon.db")}`;
    const opened = await Promise.all([1, 2, 3].map(() => openDatabase({ url, migrationsDir })));
    const { client } = opened[0]!;
    const rows = await client.execute("SELECT count(*) AS n FROM __drizzle_migrations");
    expect(rows.rows[0]?.n).toBeGreaterThan(0);
    for (const o of opened) o.client.close();
  });

  it("names the database, without its credentials, when it cannot be reached", async () => {
    // A port nothing listens on any more.
    const srv = createServer().listen(0, "127.0.0.1");
    await once(srv, "listening");
    const { port } = srv.address() as AddressInfo;
    await new Promise((r) => srv.close(r));
    const err = await openDatabase({
      url: `http://127.0.0.1:${port}?authToken=secret-in-url`,
      authToken: "secret-token",
      migrationsDir,
    }).catch((e: unknown) => e);
    expect(String(err)).toBe(
      `Error: cannot open the database at http://127.0.0.1:${port}: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(String(err)).not.toMatch(/secret/);
  });
});

describe("databaseLabel", () => {
  it("drops credentials and the query", () => {
    expect(databaseLabel("libsql://user:pw@db-org.turso.io?authToken=abc&tls=1")).toBe(
      "libsql://db-org.turso.io",
    );
    expect(databaseLabel("https://db.example.com:8080/ns#x")).toBe("https://db.example.com:8080/ns");
    expect(databaseLabel("file:./data/pylon.db")).toBe("file:./data/pylon.db");
  });
});
