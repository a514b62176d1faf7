// `pnpm db:migrate`: applies migrations/ to PYLON_DATABASE_URL (a libSQL server such as Turso or
// sqld for a Workers deployment, which never migrates by itself; the Node server applies them
// itself at start). Runs in the directory it is started from, like the server, for `.env` and a
// relative file: URL.
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Client } from "@libsql/client";
import { parseConfig } from "./config.ts";
import { databaseLabel, findMigrations, openDatabase } from "./database.ts";

async function applied(client: Client): Promise<number> {
  const rs = await client.execute("SELECT count(*) FROM __drizzle_migrations");
  return Number(rs.rows[0]?.[0] ?? 0);
}

if (existsSync(".env")) process.loadEnvFile(".env");
const parsed = parseConfig(process.env);
if ("errors" in parsed) {
  process.stderr.write(`${parsed.errors.join("\n")}\n`);
  process.exit(2);
}
const { config } = parsed;
const label = databaseLabel(config.PYLON_DATABASE_URL);
try {
  const { client } = await openDatabase({
    url: config.PYLON_DATABASE_URL,
    authToken: config.PYLON_DATABASE_AUTH_TOKEN,
    migrationsDir: config.PYLON_MIGRATIONS_DIR ?? findMigrations(dirname(fileURLToPath(import.meta.url))),
  });
  const total = await applied(client);
  client.close();
  process.stdout.write(`${label} is up to date: ${total} migrations applied\n`);
} catch (err) {
  process.stderr.write(`pnpm db:migrate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
