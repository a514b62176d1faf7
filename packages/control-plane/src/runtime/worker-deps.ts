// What the Worker and its Durable Objects build from the bindings: config, database, logger.
import { createClient } from "@libsql/client/web";
import { createDb, type Db } from "../db/client.ts";
import { DurableObjectBus } from "../hub/durable-object-bus.ts";
import type { HubNamespace } from "../hub/workers-platform.ts";
import { jsonLogger, type Logger } from "../lib/logger.ts";
import { type Config, parseConfig, retentionOf } from "./config.ts";
import type { AssetsBinding } from "./worker-files.ts";

/** The Worker's bindings: PYLON_* vars and secrets, the node hub namespace, the static assets. */
export type WorkerEnv = Record<string, unknown> & { NODE_HUB: HubNamespace; ASSETS?: AssetsBinding };

export interface WorkerDeps {
  config: Config;
  db: Db;
  bus: DurableObjectBus;
  logger: Logger;
  secretKey: string;
  retention: ReturnType<typeof retentionOf>;
}

/** Reads the bindings; errors name each bad setting. `self`: the node whose object builds them. */
export function workerDeps(
  env: WorkerEnv,
  self?: () => string | undefined,
): WorkerDeps | { errors: string[] } {
  const vars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  const parsed = parseConfig(vars);
  if ("errors" in parsed) return { errors: parsed.errors };
  const config = parsed.config;
  const secretKey = config.PYLON_SECRET_KEY;
  if (!secretKey) return { errors: ["PYLON_SECRET_KEY: must be set as a Worker secret"] };
  if (config.PYLON_DATABASE_URL.startsWith("file:")) {
    return { errors: ["PYLON_DATABASE_URL: must be a libsql:// or https:// URL on Workers"] };
  }
  if (!env.NODE_HUB) return { errors: ["NODE_HUB: the Durable Object binding is missing (wrangler.toml)"] };
  const client = createClient({
    url: config.PYLON_DATABASE_URL,
    authToken: config.PYLON_DATABASE_AUTH_TOKEN,
  });
  // Workers Logs (or `wrangler tail`) collect console output; one JSON object a line.
  const logger = jsonLogger((line) => console.log(line));
  const db = createDb(client);
  const bus = new DurableObjectBus({ db, now: Date.now, logger }, env.NODE_HUB, self);
  return { config, db, bus, logger, secretKey, retention: retentionOf(config) };
}

/** The answer while the bindings are wrong: the usual error shape, naming each setting. */
export function misconfigured(errors: string[]): Response {
  return Response.json(
    {
      error: { code: "unavailable", message: `Pylon is misconfigured: ${errors.join("; ")}`, requestId: "" },
    },
    { status: 503 },
  );
}
