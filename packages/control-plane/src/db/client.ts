import type { Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema/index.ts";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

/** Wraps a libSQL client (embedded, remote or web build) in drizzle with our schema. */
export function createDb(client: Client): Db {
  return drizzle(client, { schema, casing: "snake_case" });
}
