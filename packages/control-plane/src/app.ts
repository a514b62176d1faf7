import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppDeps } from "./deps.ts";
import type { AppEnv } from "./env.ts";
import { ApiError } from "./errors.ts";
import { auditTrail } from "./middleware/audit-trail.ts";
import { browserHeaders, HSTS, isHttps } from "./middleware/browser-headers.ts";
import { onError, validationHook } from "./middleware/errors.ts";
import { notFoundHandler } from "./middleware/not-found.ts";
import { originCheck } from "./middleware/origin-check.ts";
import { requestLog } from "./middleware/request-log.ts";
import { agentAuth } from "./routes/agent/connect.ts";
import { agentRoutes } from "./routes/agent/index.ts";
import { agentBundleFile, agentManifest, installScript } from "./routes/agent/install.ts";
import { appRoutes } from "./routes/apps/index.ts";
import { auditRoutes } from "./routes/audit/index.ts";
import { authRoutes } from "./routes/auth/index.ts";
import { backupRoutes } from "./routes/backups/index.ts";
import { catalogRoutes } from "./routes/catalog/index.ts";
import { jobRoutes } from "./routes/jobs/index.ts";
import { nodeRoutes } from "./routes/nodes/index.ts";
import { scheduleRoutes } from "./routes/schedules/index.ts";
import { settingsRoutes } from "./routes/settings/index.ts";
import { setupRoutes } from "./routes/setup/index.ts";
import { snapshotRoutes } from "./routes/snapshots/index.ts";
import { docsPage } from "./routes/system/docs.ts";
import { systemRoutes } from "./routes/system/index.ts";
import { tokenRoutes } from "./routes/tokens/index.ts";
import { userRoutes } from "./routes/users/index.ts";
import { clearAuthCache } from "./services/auth-cache.ts";

export type { AppDeps } from "./deps.ts";

/** Largest request body the API reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the whole control plane from its dependencies. No I/O happens here or at import. */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  deps.bus.subscribe((change) => {
    if (change.topic === "auth.changed") clearAuthCache(deps.db);
  });

  app.use("*", requestId({ headerName: "X-Request-Id" }));
  app.use("*", async (c, next) => {
    c.set("deps", deps);
    c.set("principal", null);
    c.set("audit", null);
    c.set("access", null);
    await next();
  });
  app.use("*", requestLog);
  // The dashboard, its files and the API docs page (registered first: its headers win on /api/docs).
  const dashboardHeaders = browserHeaders(deps.publicUrl);
  app.use("*", (c, next) => (c.req.path.startsWith("/api/v1/") ? next() : dashboardHeaders(c, next)));
  // Only the headers that matter for a JSON API; each header costs on every answer.
  app.use(
    "/api/*",
    secureHeaders({
      crossOriginResourcePolicy: "same-origin",
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xFrameOptions: "DENY",
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
      strictTransportSecurity: isHttps(deps.publicUrl) ? HSTS : false,
    }),
  );
  const apiBodyLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError("payload_too_large", `Request body larger than ${MAX_BODY_BYTES} bytes`);
    },
  });
  // GET and HEAD carry no body; asking for one would make the Node adapter build a full
  // Request (and an AbortController) for every read, a fifth of a list request's cost.
  app.use("/api/*", (c, next) =>
    c.req.method === "GET" || c.req.method === "HEAD" ? next() : apiBodyLimit(c, next),
  );
  app.use("/api/*", originCheck);
  app.use("/api/*", auditTrail);
  app.use(
    "/agent/*",
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw new ApiError("payload_too_large", "Request body too large");
      },
    }),
  );
  app.use("/agent/*", auditTrail);

  const api = app
    .route("/", systemRoutes())
    .route("/api/v1", authRoutes())
    .route("/api/v1", setupRoutes())
    .route("/api/v1", userRoutes())
    .route("/api/v1", tokenRoutes())
    .route("/api/v1", auditRoutes())
    .route("/api/v1", nodeRoutes())
    .route("/api/v1", jobRoutes())
    .route("/api/v1", catalogRoutes())
    .route("/api/v1", appRoutes())
    .route("/api/v1", backupRoutes())
    .route("/api/v1", snapshotRoutes())
    .route("/api/v1", scheduleRoutes())
    .route("/api/v1", settingsRoutes())
    .route("/", agentRoutes());

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API token (pyl_…) created at /api/v1/tokens",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "cookieAuth", {
    type: "apiKey",
    in: "cookie",
    name: "pylon_session",
    description: "Browser session from /api/v1/auth/login; mutations also need the X-CSRF-Token header",
  });
  app.doc31("/api/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Pylon API",
      version: deps.version ?? "0.0.0",
      description: "Self-hosted app platform for Proxmox VE",
    },
  });
  app.get("/api/docs", docsPage);
  if (deps.hub) app.get("/agent/v1/connect", agentAuth, deps.hub.connect);
  app.get("/install/agent.sh", installScript);
  app.get("/install/agent.mjs", agentBundleFile);
  app.get("/install/agent.json", agentManifest);
  if (deps.serveUi) app.get("*", deps.serveUi);

  app.notFound(notFoundHandler(app));
  app.onError(onError);
  return api;
}

export type PylonApp = ReturnType<typeof createApp>;
