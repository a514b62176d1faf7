// Node entry: reads config once, opens libSQL, applies migrations, serves the app and the UI.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serve, upgradeWebSocket } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Context, MiddlewareHandler } from "hono";
import { createApp } from "../app.ts";
import { ChangeBus } from "../hub/change-bus.ts";
import { MemoryHub } from "../hub/memory-hub.ts";
import { jsonLogger } from "../lib/logger.ts";
import { bootstrapAdmin } from "./bootstrap.ts";
import { parseConfig } from "./config.ts";
import { findMigrations, openDatabase } from "./database.ts";
import { LazyWebSocketServer } from "./lazy-ws.ts";
import { loadSecretKey } from "./secret-key.ts";
import { bufferedStdout } from "./stdout.ts";

const VERSION = "0.1.0";
const here = dirname(fileURLToPath(import.meta.url));

function uiHandler(root: string): MiddlewareHandler {
  const files = serveStatic({ root });
  const index = serveStatic({ root, path: "index.html" });
  return async (c, next) => {
    if (c.req.path.startsWith("/api/")) return next();
    const res = await files(c, async () => {});
    if (res) return res;
    if (c.res.status !== 404 && c.finalized) return;
    // Client-side routes (/setup, /apps/…) get the SPA shell.
    if (/\.[a-z0-9]+$/i.test(c.req.path)) return next();
    return index(c, next);
  };
}

function clientIp(trustProxy: boolean) {
  return (c: Context): string | null => {
    if (trustProxy) {
      const fwd = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
      if (fwd) return fwd;
    }
    try {
      return getConnInfo(c).remote.address ?? null;
    } catch {
      return null;
    }
  };
}

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const parsed = parseConfig(process.env);
  if ("errors" in parsed) {
    process.stderr.write(
      `Pylon cannot start; fix these settings:\n${parsed.errors.map((e) => `  ${e}`).join("\n")}\n`,
    );
    process.exit(2);
  }
  const config = parsed.config;
  const out = bufferedStdout();
  const logger = jsonLogger(out.write);
  const dbPath = config.PYLON_DATABASE_URL.startsWith("file:") ? config.PYLON_DATABASE_URL.slice(5) : null;
  const dataDir = config.PYLON_DATA_DIR ?? (dbPath ? dirname(resolve(dbPath)) : resolve("data"));
  const { key, created } = loadSecretKey(config.PYLON_SECRET_KEY, dataDir);
  if (created) logger.info("generated a secret key", { file: resolve(dataDir, "secret.key") });

  const { client, db } = await openDatabase({
    url: config.PYLON_DATABASE_URL,
    authToken: config.PYLON_DATABASE_AUTH_TOKEN,
    migrationsDir: config.PYLON_MIGRATIONS_DIR ?? findMigrations(here),
  });
  const uiDir = config.PYLON_UI_DIR ?? resolve(here, "../../ui/dist");
  const agentDir = config.PYLON_AGENT_DIR ?? resolve(here, "../../agent");
  const installPaths = {
    "agent.sh": resolve(agentDir, "src/install/agent.sh"),
    "agent.mjs": resolve(agentDir, "dist/agent.mjs"),
  };
  const bus = new ChangeBus({ db, now: Date.now, logger });
  await bus.start();
  const hub = new MemoryHub(
    { db, now: Date.now, bus, logger, secretKey: key },
    {
      upgradeWebSocket,
      heartbeatMs: config.PYLON_AGENT_HEARTBEAT_MS,
      maxConcurrentJobs: config.PYLON_AGENT_MAX_JOBS,
    },
  );
  await hub.start();
  const quiet = jsonLogger(() => {});
  const app = createApp({
    db,
    bus,
    hub,
    installFile: (name) => readFile(installPaths[name], "utf8").catch(() => null),
    logger: config.PYLON_LOG_REQUESTS ? logger : { ...logger, info: quiet.info },
    now: Date.now,
    secretKey: key,
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
    clientIp: clientIp(config.PYLON_TRUST_PROXY),
    serveUi: existsSync(uiDir) ? uiHandler(uiDir) : undefined,
    version: VERSION,
  });

  const wss = new LazyWebSocketServer(1024 * 1024);
  // Typed as ws's server for @hono/node-server, which uses only what LazyWebSocketServer has.
  const websocket = { server: wss as unknown as import("ws").WebSocketServer };
  const server = serve(
    { fetch: app.fetch, port: config.PYLON_PORT, hostname: config.PYLON_HOST, websocket },
    (info) => {
      const host = info.address.includes(":") ? `[${info.address}]` : info.address;
      const baseUrl = config.PYLON_PUBLIC_URL?.replace(/\/$/, "") ?? `http://${host}:${info.port}`;
      logger.info("Pylon is listening", { url: baseUrl, port: info.port, version: VERSION });
      bootstrapAdmin(
        { db, now: Date.now, logger },
        {
          email: config.PYLON_ADMIN_EMAIL,
          password: config.PYLON_ADMIN_PASSWORD,
          name: config.PYLON_ADMIN_NAME,
          baseUrl,
        },
      ).then(
        (line) => {
          out.flush();
          if (line) process.stdout.write(`\n${line}\n`);
        },
        (err) => logger.error("bootstrap failed", { error: String(err) }),
      );
    },
  );
  server.on("error", (err) => {
    logger.error("cannot listen", { error: String(err), host: config.PYLON_HOST, port: config.PYLON_PORT });
    process.exit(1);
  });

  const stop = () => {
    logger.info("shutting down");
    bus.stop();
    void hub.stop();
    server.close(() => {
      client.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  process.stderr.write(`Pylon failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
