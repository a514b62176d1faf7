// App and catalog lists as values, from @pylon/shared's zod-free module (the schemas would pull
// zod into the bundle).
import {
  APP_STATUSES,
  type AppStatus,
  CATALOG_CATEGORIES,
  type CatalogCategory,
  DIAGNOSTICS,
  type DiagnosticName,
} from "@pylon/shared/values";

export const APP_STATUS_VALUES = APP_STATUSES;
export const DIAGNOSTIC_NAMES = DIAGNOSTICS;
export const CATEGORY_VALUES = CATALOG_CATEGORIES;

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
