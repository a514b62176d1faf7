/**
 * The catalog's entries, renderer and YAML library load on first use: together they are a large
 * share of an idle server's memory, and most processes serve no catalog request for a long time.
 * Schemas the routes declare come from `@pylon/shared/catalog/schema`, which is small.
 */
export function loadCatalog() {
  return import("@pylon/shared/catalog/index");
}
