// Cloudflare Workers entry: the same app, with libSQL over HTTP and config from bindings.
// Only adapts; everything else is shared with the Node entry (STYLE.md rule 1).
import { createClient } from "@libsql/client/web";
import { createApp, type PylonApp } from "../app.ts";
import { createDb } from "../db/client.ts";
import { jsonLogger } from "../lib/logger.ts";
import { parseConfig } from "./config.ts";

type Env = Record<string, string | undefined>;

let cached: { app: PylonApp } | { errors: string[] } | undefined;

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
  const app = createApp({
    db: createDb(client),
    logger,
    now: Date.now,
    secretKey: config.PYLON_SECRET_KEY,
    publicUrl: config.PYLON_PUBLIC_URL,
    clientIp: (c) => c.req.header("cf-connecting-ip") ?? null,
    version: "0.1.0",
  });
  return { app };
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
    return cached.app.fetch(request, env, ctx as never);
  },
};
