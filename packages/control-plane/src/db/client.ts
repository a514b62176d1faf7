import type { Client } from "@libsql/client";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import * as driverCore from "drizzle-orm/libsql/driver-core";
import * as schema from "./schema/index.ts";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

type Construct = (client: Client, config: { schema: typeof schema; casing: "snake_case" }) => Db;

/**
 * `drizzle()` of drizzle-orm/libsql is `construct()` of its driver-core plus a static import of
 * @libsql/client's remote client, which costs a Node server about 9 MB even when only the
 * embedded file is used. So the core is called directly (it is exported, though not typed;
 * drizzle is pinned, and every database test goes through here).
 */
const construct = (driverCore as unknown as { construct: Construct }).construct;

/** Wraps a libSQL client (embedded, remote or web build) in drizzle with our schema. */
export function createDb(client: Client): Db {
  return construct(client, { schema, casing: "snake_case" });
}
