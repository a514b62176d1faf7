import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "turso",
  schema: "./src/db/schema/index.ts",
  out: "../../migrations",
  casing: "snake_case",
  dbCredentials: { url: "file:../../.tmp/drizzle-kit.db" },
});
