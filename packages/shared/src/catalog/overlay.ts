import type { CatalogEntry } from "./schema.ts";

/**
 * Extra catalog entries beside the shipped ones (an entry with a shipped id replaces it): a private
 * catalog, or a test's app at a version the shipped catalog never had. Read on every lookup, so a
 * provider that watches a file makes a new version visible without a restart. Kept apart from
 * index.ts so a server can install a provider without loading the catalog itself.
 */
let provider: (() => readonly CatalogEntry[]) | null = null;

/** Installs (or with null removes) the provider of overlay entries. */
export function useCatalogOverlay(read: (() => readonly CatalogEntry[]) | null): void {
  provider = read;
}

/** The overlay's entries now (none without a provider). */
export function overlayEntries(): readonly CatalogEntry[] {
  return provider?.() ?? [];
}
