// Node entry: reads config once, opens libSQL, applies migrations, serves the app and the UI.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { createServer } from "node:http";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createAdaptorServer, upgradeWebSocket } from "@hono/node-server";
import { MAX_TRANSPORT_BYTES } from "@pylon/shared";
import { useCatalogOverlay } from "@pylon/shared/catalog/overlay";
import { createApp } from "../app.ts";
import { ChangeBus } from "../hub/change-bus.ts";
import { MemoryHub } from "../hub/memory-hub.ts";
import { jsonLogger } from "../lib/logger.ts";
import { policySchedulerOn } from "../services/policy-scheduler.ts";
import { agentBundleReader } from "./agent-bundle.ts";
import { bootstrapAdmin } from "./bootstrap.ts";
import { catalogFileReader } from "./catalog-file.ts";
import { onClientError } from "./client-error.ts";
import { clientIp } from "./client-ip.ts";
import { nodeServerErrors, parseConfig, retentionOf } from "./config.ts";
import { findMigrations, openDatabase } from "./database.ts";
import { secureDataFiles } from "./file-modes.ts";
import { LazyWebSocketServer } from "./lazy-ws.ts";
import { createPacedServer } from "./paced-server.ts";
import { loadSecretKey } from "./secret-key.ts";
import { bufferedStdout } from "./stdout.ts";
import { uiHandler } from "./ui-files.ts";

const VERSION = "0.1.0";
const here = dirname(fileURLToPath(import.meta.url));

/**
 * Connections the kernel queues for accept(). Node's default (511) overflows when a thousand
 * clients connect at once: the dropped handshakes are retried by the clients seconds later, and
 * time out. Linux caps it at net.core.somaxconn (4096 since kernel 5.4).
 */
const LISTEN_BACKLOG = 4096;

async function main(): Promise<void> {
  // Everything Pylon writes (database, WAL, secret.key, data folder) is for its own user only.
  process.umask(0o077);
  if (existsSync(".env")) process.loadEnvFile(".env");
  const parsed = parseConfig(process.env);
  const errors = "errors" in parsed ? parsed.errors : nodeServerErrors(parsed.config);
  if ("errors" in parsed || errors.length > 0) {
    process.stderr.write(
      `Pylon cannot start; fix these settings:\n${errors.map((e) => `  ${e}`).join("\n")}\n`,
    );
    process.exit(2);
  }
  const config = parsed.config;
  const out = bufferedStdout();
  const logger = jsonLogger(out.write);
  // Background work handles its own failures (hub/background.ts); should one slip through, it is
  // logged instead of ending the process, which would drop every agent and request it serves.
  process.on("unhandledRejection", (reason) => {
    logger.error("unhandled promise rejection", {
      error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
    });
  });
  const requestLogger = config.PYLON_LOG_REQUESTS ? logger : { ...logger, info: () => {} };
  const filePath = config.PYLON_DATABASE_URL.startsWith("file:")
    ? config.PYLON_DATABASE_URL.slice(5).split("?")[0]
    : undefined;
  const dbPath = filePath && filePath !== ":memory:" ? resolve(filePath) : null;
  const dataDir = resolve(config.PYLON_DATA_DIR ?? (dbPath ? dirname(dbPath) : "data"));
  // A process on a libSQL server with its key given keeps nothing on its own disk: no data folder.
  const keepsFiles = dbPath !== null || config.PYLON_DATA_DIR !== undefined || !config.PYLON_SECRET_KEY;
  if (keepsFiles)
    secureDataFiles({ dataDirs: [dataDir, ...(dbPath ? [dirname(dbPath)] : [])], dbPath, logger });
  const { key, created } = loadSecretKey(config.PYLON_SECRET_KEY, dataDir);
  if (created) logger.info("generated a secret key", { file: resolve(dataDir, "secret.key") });

  const { client, db } = await openDatabase({
    url: config.PYLON_DATABASE_URL,
    authToken: config.PYLON_DATABASE_AUTH_TOKEN,
    busyWaitMs: config.PYLON_DATABASE_BUSY_MS,
    migrationsDir: config.PYLON_MIGRATIONS_DIR ?? findMigrations(here),
  });
  if (config.PYLON_CATALOG_FILE) useCatalogOverlay(catalogFileReader(config.PYLON_CATALOG_FILE, logger));
  const uiDir = config.PYLON_UI_DIR ?? resolve(here, "../../ui/dist");
  const agentDir = config.PYLON_AGENT_DIR ?? resolve(here, "../../agent");
  const installScript = resolve(agentDir, "src/install/agent.sh");
  const bus = new ChangeBus({ db, now: Date.now, logger });
  await bus.start();
  const retention = retentionOf(config);
  const agentBundle = agentBundleReader(resolve(agentDir, "dist"));
  const hub = new MemoryHub(
    {
      db,
      now: Date.now,
      bus,
      logger,
      secretKey: key,
      retention,
      agentBundle,
      // Schedules pushed to agents build drill health checks against the apps domain.
      apps: {
        domain: config.PYLON_APPS_DOMAIN,
        httpsPort: config.PYLON_APPS_HTTPS_PORT,
        keepSnapshots: config.PYLON_APP_SNAPSHOTS_KEEP,
      },
    },
    {
      upgradeWebSocket,
      heartbeatMs: config.PYLON_AGENT_HEARTBEAT_MS,
      maxConcurrentJobs: config.PYLON_AGENT_MAX_JOBS,
      maxJobOutputBytes: config.PYLON_JOB_OUTPUT_MAX_MB * 1024 * 1024,
    },
  );
  await hub.start();
  // Migrations are applied and the hub runs; /readyz waits for the first admin (or setup link) too.
  let pending: string | null = config.PYLON_ADMIN_EMAIL
    ? "creating the admin account from PYLON_ADMIN_EMAIL"
    : "checking for a first admin";
  const app = createApp({
    db,
    bus,
    hub,
    installFile: () => readFile(installScript, "utf8").catch(() => null),
    agentBundle,
    logger: requestLogger,
    now: Date.now,
    secretKey: key,
    retention,
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
    pending: () => pending,
    serveUi: existsSync(uiDir) ? uiHandler(uiDir) : undefined,
    version: VERSION,
    runtime: "node",
    policyScheduler: policySchedulerOn({ db, now: Date.now, bus }),
  });

  // Above the protocol's frame limit, so an oversized frame is refused by the protocol (an error
  // naming its job) rather than by closing the link (1009).
  const wss = new LazyWebSocketServer(MAX_TRANSPORT_BYTES);
  // Typed as ws's server for @hono/node-server, which uses only what LazyWebSocketServer has.
  const websocket = { server: wss as unknown as import("ws").WebSocketServer };
  const server = createAdaptorServer({
    fetch: app.fetch,
    hostname: config.PYLON_HOST,
    websocket,
    // Paced: new connections are accepted while the server is saturated (see paced-server.ts).
    createServer: createPacedServer as typeof createServer,
  });
  server.on("clientError", onClientError(requestLogger));
  server.on("error", (err) => {
    logger.error("cannot listen", { error: String(err), host: config.PYLON_HOST, port: config.PYLON_PORT });
    process.exit(1);
  });
  server.listen({ port: config.PYLON_PORT, host: config.PYLON_HOST, backlog: LISTEN_BACKLOG }, () => {
    const info = server.address();
    if (!info || typeof info === "string") return;
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
        pending = null;
        out.flush();
        if (line) process.stdout.write(`\n${line}\n`);
      },
      (err) => {
        pending = "the first admin account could not be created (see the server log)";
        logger.error("bootstrap failed", { error: String(err) });
      },
    );
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
