// drizzle's libSQL migrator over HTTP applies the repository's migrations/ exactly as it does to
// an embedded file, and applying them again changes nothing.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type TestServer, TOKEN, testServer } from "./support.ts";

const MIGRATIONS = resolve(import.meta.dirname, "../../../migrations");
const journal = JSON.parse(readFileSync(join(MIGRATIONS, "meta/_journal.json"), "utf8")) as {
  entries: { tag: string }[];
};

let srv: TestServer;
let dir: string;
const clients: Client[] = [];

beforeAll(async () => {
  srv = await testServer();
  dir = mkdtempSync(join(tmpdir(), "pylon-libsql-file-"));
});
afterAll(async () => {
  for (const c of clients) c.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const schemaOf = async (c: Client) =>
  (
    await c.execute(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )
  ).rows.map((r) => ({ ...r }));

it("applies migrations/ over HTTP like on a file, idempotently", async () => {
  const remote = createClient({ url: srv.url, authToken: TOKEN });
  const file = createClient({ url: `file:${join(dir, "reference.db")}` });
  clients.push(remote, file);

  await migrate(drizzle(remote), { migrationsFolder: MIGRATIONS });
  await migrate(drizzle(file), { migrationsFolder: MIGRATIONS });
  const applied = await remote.execute("SELECT hash FROM __drizzle_migrations");
  expect(applied.rows).toHaveLength(journal.entries.length);
  const schema = await schemaOf(remote);
  expect(schema.filter((r) => r.type === "table").map((r) => r.name)).toContain("users");
  expect(schema).toEqual(await schemaOf(file));

  // Again, from another client: nothing to do, nothing changes.
  const again = createClient({ url: srv.url, authToken: TOKEN });
  clients.push(again);
  await migrate(drizzle(again), { migrationsFolder: MIGRATIONS });
  expect((await again.execute("SELECT count(*) FROM __drizzle_migrations")).rows[0]?.[0]).toBe(
    journal.entries.length,
  );
  expect(await schemaOf(again)).toEqual(schema);
});
