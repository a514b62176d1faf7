// PYLON_CATALOG_FILE: catalog entries from a JSON file beside the shipped ones (private apps, or a
// test's app at a second version). Re-read when the file changes, so a new version shows without
// a restart; an unreadable or invalid file keeps the entries read before and is logged once.
import { readFileSync, statSync } from "node:fs";
import { type CatalogEntry, catalogEntrySchema } from "@pylon/shared/catalog/schema";
import { z } from "zod";
import type { Logger } from "../lib/logger.ts";

const fileSchema = z.array(catalogEntrySchema).max(500);

/** A provider for `useCatalogOverlay` that reads `path` when its modification time changes. */
export function catalogFileReader(path: string, logger: Logger): () => readonly CatalogEntry[] {
  let entries: readonly CatalogEntry[] = [];
  let seen = "";
  return () => {
    let stamp: string;
    try {
      const s = statSync(path);
      stamp = `${s.mtimeMs}:${s.size}`;
    } catch (err) {
      stamp = "missing";
      if (seen !== stamp) logger.error("catalog file unreadable", { path, error: String(err) });
      seen = stamp;
      return entries;
    }
    if (stamp === seen) return entries;
    seen = stamp;
    try {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
      if (!parsed.success) {
        logger.error("catalog file invalid; keeping its previous entries", {
          path,
          error: z.prettifyError(parsed.error),
        });
      } else entries = parsed.data;
    } catch (err) {
      logger.error("catalog file unreadable", { path, error: String(err) });
    }
    return entries;
  };
}
