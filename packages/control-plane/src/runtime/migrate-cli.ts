// `pnpm db:migrate`: applies migrations/ to PYLON_DATABASE_URL (e.g. the Turso database a
// Workers deployment uses; the Node server applies them itself at start).
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "./config.ts";
import { findMigrations, openDatabase } from "./database.ts";

if (existsSync(".env")) process.loadEnvFile(".env");
const parsed = parseConfig(process.env);
if ("errors" in parsed) {
  process.stderr.write(`${parsed.errors.join("\n")}\n`);
  process.exit(2);
}
const { config } = parsed;
const { client } = await openDatabase({
  url: config.PYLON_DATABASE_URL,
  authToken: config.PYLON_DATABASE_AUTH_TOKEN,
  migrationsDir: config.PYLON_MIGRATIONS_DIR ?? findMigrations(dirname(fileURLToPath(import.meta.url))),
});
client.close();
process.stdout.write(`migrations applied to ${config.PYLON_DATABASE_URL.replace(/\/\/[^@/]*@/, "//")}\n`);
