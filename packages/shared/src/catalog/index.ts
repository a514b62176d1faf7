import { CATALOG_APPS } from "./apps/index.ts";
import { overlayEntries } from "./overlay.ts";
import type { CatalogEntry } from "./schema.ts";

export { CATALOG_APPS } from "./apps/index.ts";
export * from "./check.ts";
export { useCatalogOverlay } from "./overlay.ts";
export * from "./parameters.ts";
export * from "./render.ts";
export * from "./schema.ts";
export * from "./secrets.ts";

const byId = new Map(CATALOG_APPS.map((e) => [e.id, e]));

/** The catalog entry with this id, or undefined. */
export function getCatalogEntry(id: string): CatalogEntry | undefined {
  return overlayEntries().find((e) => e.id === id) ?? byId.get(id);
}

/** Every catalog entry, in display order. */
export function listCatalogEntries(): readonly CatalogEntry[] {
  const extra = overlayEntries();
  if (extra.length === 0) return CATALOG_APPS;
  const ids = new Set(extra.map((e) => e.id));
  return [...CATALOG_APPS.filter((e) => !ids.has(e.id)), ...extra];
}
