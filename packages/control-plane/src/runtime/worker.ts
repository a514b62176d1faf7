// Cloudflare Workers entry: the same app, with libSQL over HTTP and config from bindings.
// Only adapts; everything else is shared with the Node entry (STYLE.md rule 1).
import { createClient } from "@libsql/client/web";
import { createApp, type PylonApp } from "../app.ts";
import { createDb } from "../db/client.ts";
import { ChangeBus } from "../hub/change-bus.ts";
import { jsonLogger } from "../lib/logger.ts";
import { bootstrapAdmin } from "./bootstrap.ts";
import { parseConfig, retentionOf } from "./config.ts";

type Env = Record<string, string | undefined>;

let cached: { app: PylonApp; ready: Promise<unknown> } | { errors: string[] } | undefined;

function build(env: Env) {
  const parsed = parseConfig(env);
  if ("errors" in parsed) return { errors: parsed.errors };
  const config = parsed.config;
  if (!config.PYLON_SECRET_KEY) return { errors: ["PYLON_SECRET_KEY: must be set as a Worker secret"] };
  if (config.PYLON_DATABASE_URL.startsWith("file:")) {
    return { errors: ["PYLON_DATABASE_URL: must be a libsql:// or https:// URL on Workers"] };
  }
  const client = createClient({
    url: config.PYLON_DATABASE_URL,
    authToken: config.PYLON_DATABASE_AUTH_TOKEN,
  });
  const logger = jsonLogger((line) => console.log(line));
  const db = createDb(client);
  const app = createApp({
    db,
    // Publishing works (rows in the changes table); agent sockets on Workers arrive with the Durable Object hub.
    bus: new ChangeBus({ db, now: Date.now, logger }),
    logger,
    now: Date.now,
    secretKey: config.PYLON_SECRET_KEY,
    retention: retentionOf(config),
    publicUrl: config.PYLON_PUBLIC_URL,
    apps: {
      domain: config.PYLON_APPS_DOMAIN,
      httpsPort: config.PYLON_APPS_HTTPS_PORT,
      keepSnapshots: config.PYLON_APP_SNAPSHOTS_KEEP,
    },
    sessions: {
      idleMs: config.PYLON_SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: config.PYLON_SESSION_MAX_HOURS * 3600_000,
    },
    clientIp: (c) => c.req.header("cf-connecting-ip") ?? null,
    version: "0.1.0",
    runtime: "workers",
  });
  // There is no console to print a setup link to: the first admin comes from PYLON_ADMIN_* secrets.
  const ready = config.PYLON_ADMIN_EMAIL
    ? bootstrapAdmin(
        { db, now: Date.now, logger },
        {
          email: config.PYLON_ADMIN_EMAIL,
          password: config.PYLON_ADMIN_PASSWORD,
          name: config.PYLON_ADMIN_NAME,
          baseUrl: "",
        },
      ).catch((err) => logger.error("bootstrap failed", { error: String(err) }))
    : Promise.resolve();
  return { app, ready };
}

export default {
  fetch(request: Request, env: Env, ctx: unknown): Response | Promise<Response> {
    // Bindings are fixed for the life of an isolate, so the app is built once per isolate.
    cached ??= build(env);
    if ("errors" in cached) {
      return Response.json(
        {
          error: {
            code: "unavailable",
            message: `Pylon is misconfigured: ${cached.errors.join("; ")}`,
            requestId: "",
          },
        },
        { status: 503 },
      );
    }
    const app = cached.app;
    return cached.ready.then(() => app.fetch(request, env, ctx as never));
  },
};
