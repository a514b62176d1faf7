import { CATALOG_APPS } from "./apps/index.ts";
import type { CatalogEntry } from "./schema.ts";

export { CATALOG_APPS } from "./apps/index.ts";
export * from "./check.ts";
export * from "./parameters.ts";
export * from "./render.ts";
export * from "./schema.ts";
export * from "./secrets.ts";

const byId = new Map(CATALOG_APPS.map((e) => [e.id, e]));

/** The catalog entry with this id, or undefined. */
export function getCatalogEntry(id: string): CatalogEntry | undefined {
  return byId.get(id);
}

/** Every catalog entry, in display order. */
export function listCatalogEntries(): readonly CatalogEntry[] {
  return CATALOG_APPS;
}
