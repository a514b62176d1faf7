// App and catalog lists as values. They mirror @pylon/shared (APP_STATUSES, DIAGNOSTICS,
// CATALOG_CATEGORIES), which cannot be imported as values without pulling zod into the bundle;
// the type checks below keep the copies in step.
import type { AppStatus, DiagnosticName } from "@pylon/shared";
import type { CatalogCategory } from "@pylon/shared/catalog/schema";

export const APP_STATUS_VALUES = [
  "deploying",
  "running",
  "stopped",
  "failed",
  "deleting",
] as const satisfies readonly AppStatus[];

export const DIAGNOSTIC_NAMES = [
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
] as const satisfies readonly DiagnosticName[];

export const CATEGORY_VALUES = [
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
] as const satisfies readonly CatalogCategory[];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const statusesMatch: Same<(typeof APP_STATUS_VALUES)[number], AppStatus> = true;
const diagnosticsMatch: Same<(typeof DIAGNOSTIC_NAMES)[number], DiagnosticName> = true;
const categoriesMatch: Same<(typeof CATEGORY_VALUES)[number], CatalogCategory> = true;
void statusesMatch;
void diagnosticsMatch;
void categoriesMatch;

/** Narrows a string (a select's value) to a catalog category. */
export function isCategory(v: string): v is CatalogCategory {
  return (CATEGORY_VALUES as readonly string[]).includes(v);
}

/** Narrows a string to a diagnostic name. */
export function isDiagnostic(v: string): v is DiagnosticName {
  return (DIAGNOSTIC_NAMES as readonly string[]).includes(v);
}

/** Whether an app is in the middle of something (its page and list refresh often then). */
export const isBusy = (status: AppStatus) => status === "deploying" || status === "deleting";
