// Lists the API's schemas are built from, with no zod in this module: the dashboard imports
// them as values without pulling the schemas into its bundle.

export const APP_STATUSES = ["deploying", "running", "stopped", "failed", "deleting"] as const;
export type AppStatus = (typeof APP_STATUSES)[number];

/** Named read-only diagnostics; there is no way to run an arbitrary command. */
export const DIAGNOSTICS = [
  "logs",
  "status",
  "disk",
  "processes",
  "memory",
  "network",
  "images",
  "volumes",
  "config",
  "system",
] as const;
export type DiagnosticName = (typeof DIAGNOSTICS)[number];

/**
 * Job kinds that only read (a log view, a diagnostic, a build plan): hidden from job lists unless
 * asked for, kept a day (services/retention.ts). They are jobs because the agent runs them and
 * their output is audited.
 */
export const VIEW_JOB_KINDS = ["app.logs", "app.diagnostics", "app.plan"] as const;

export const CATALOG_CATEGORIES = [
  "web",
  "cms",
  "development",
  "monitoring",
  "security",
  "productivity",
  "automation",
  "database",
  "storage",
  "media",
  "home",
  "finance",
  "reading",
] as const;
export type CatalogCategory = (typeof CATALOG_CATEGORIES)[number];

/** Cloud images Pylon can turn into its VM template (the agent knows where each is published). */
export const VM_IMAGES = ["debian-12", "debian-13", "ubuntu-24.04"] as const;
export type VmImage = (typeof VM_IMAGES)[number];

/**
 * The installation's automation policy. auto: daily backups with a default retention, weekly
 * restore drills and weekly update checks for every app, advanced controls hidden; pro: the user
 * decides everything.
 */
export const AUTOMATION_POLICIES = ["auto", "pro"] as const;
export type AutomationPolicy = (typeof AUTOMATION_POLICIES)[number];
