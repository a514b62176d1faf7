// Reads: one function per GET the dashboard makes.
import type {
  ApiToken,
  App,
  AuditEntry,
  AutomationPolicy,
  DiagnosticName,
  Inventory,
  Job,
  JobKind,
  JobStatus,
  Node,
  User,
} from "@pylon/shared";
import type { CatalogCategory, CatalogEntry, CatalogSummary } from "@pylon/shared/catalog/schema";
import { request } from "./client.ts";

export type Me = { user: User; via: "session" | "token"; csrfToken?: string };

/** The signed-in user; 401 when nobody is (not routed to sign-in: this is how we find out). */
export const getMe = () => request<Me>("GET", "/api/v1/auth/me", { expect401: true });

/** How the server is configured (version, where apps are served). */
export interface Settings {
  version: string;
  publicUrl: string | null;
  apps: { domain: string; httpsPort: number };
  /** The automation policy: auto hides advanced controls (retention details, schedule editors). */
  automation: AutomationPolicy;
}
export const getSettings = () => request<Settings>("GET", "/api/v1/settings");

/** Whether first-run setup is still needed. */
export const getSetupStatus = () => request<{ needed: boolean }>("GET", "/api/v1/setup");

export const listUsers = () => request<{ items: User[] }>("GET", "/api/v1/users").then((r) => r.items);

/** Own tokens, or every user's with `all` (admins). */
export const listTokens = (all: boolean) =>
  request<{ items: ApiToken[] }>("GET", "/api/v1/tokens", { query: { all: all || undefined } }).then(
    (r) => r.items,
  );

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
}

export type AuditPage = { items: AuditEntry[]; nextCursor: string | null };

export const listAudit = (filter: AuditFilter, cursor?: string | null, limit = 50) =>
  request<AuditPage>("GET", "/api/v1/audit", { query: { ...filter, cursor, limit } });

export const getHealth = () => request<{ status: string; version?: string }>("GET", "/healthz");

export const getReadiness = () => request<{ status: string }>("GET", "/readyz");

export type NodeDetail = Node & { inventory: Inventory | null; inventoryAt: string | null };
export type MetricsPoint = {
  at: string;
  cpu: number;
  memUsed: number;
  memTotal: number;
  diskUsed: number;
  diskTotal: number;
};

export const listNodes = () => request<{ items: Node[] }>("GET", "/api/v1/nodes").then((r) => r.items);

export const getNode = (id: string) => request<NodeDetail>("GET", `/api/v1/nodes/${encodeURIComponent(id)}`);

/** One sample a minute, oldest first; `since` (ISO) limits the range. */
export const getNodeMetrics = (id: string, since?: string) =>
  request<{ items: MetricsPoint[] }>("GET", `/api/v1/nodes/${encodeURIComponent(id)}/metrics`, {
    query: { since },
  }).then((r) => r.items);

/** An app guest's samples, one a minute, oldest first; `since` (ISO) limits the range. */
export const getAppMetrics = (id: string, since?: string) =>
  request<{ items: MetricsPoint[] }>("GET", `/api/v1/apps/${encodeURIComponent(id)}/metrics`, {
    query: { since },
  }).then((r) => r.items);

export interface JobFilter {
  node?: string;
  status?: JobStatus;
  kind?: JobKind;
  app?: string;
  /** Include log views and diagnostics (the API leaves them out by default). */
  views?: boolean;
}

export type JobPage = { items: Job[]; nextCursor: string | null };

export const listJobs = (filter: JobFilter, cursor?: string | null, limit = 50) =>
  request<JobPage>("GET", "/api/v1/jobs", {
    query: { ...filter, views: filter.views ? "true" : undefined, cursor, limit },
  });

export const getJob = (id: string) => request<Job>("GET", `/api/v1/jobs/${encodeURIComponent(id)}`);

/** Catalog entries without their templates; `q` searches name, description and tags. */
export const listCatalog = (filter: { q?: string; category?: CatalogCategory } = {}) =>
  request<{ items: CatalogSummary[] }>("GET", "/api/v1/catalog", { query: filter }).then((r) => r.items);

export const getCatalogEntry = (id: string) =>
  request<CatalogEntry>("GET", `/api/v1/catalog/${encodeURIComponent(id)}`);

export const listApps = () => request<{ items: App[] }>("GET", "/api/v1/apps").then((r) => r.items);

const appPath = (id: string, rest = "") => `/api/v1/apps/${encodeURIComponent(id)}${rest}`;

export const getApp = (id: string) => request<App>("GET", appPath(id));

export type AppWebhook = { url: string; secret: string; branch: string | null };

export const getAppWebhook = (id: string) => request<AppWebhook>("GET", appPath(id, "/webhook"));

export type Diagnostic = { name: DiagnosticName; jobId: string; output: string };

/**
 * Runs one named read-only diagnostic in the app's guest and returns its output. A POST: it
 * starts a job on the node (a read nonetheless, so it lives with the queries).
 */
export const runDiagnostic = (id: string, name: DiagnosticName) =>
  request<Diagnostic>("POST", appPath(id, `/diagnostics/${name}`));

/** The app's jobs, newest first (the last 100; log views and diagnostics left out). */
export const listAppJobs = (app: Pick<App, "id">) =>
  listJobs({ app: app.id }, null, 100).then((p) => p.items);
