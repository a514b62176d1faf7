import { type RouteHandler, z } from "@hono/zod-openapi";
import { CATALOG_CATEGORIES, catalogListSchema, catalogSummary } from "@pylon/shared/catalog/schema";
import type { AppEnv } from "../../env.ts";
import { loadCatalog } from "../../services/catalog.ts";
import { defineRoute, requires } from "../define.ts";
import { json } from "../json.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/catalog",
  tags: ["catalog"],
  summary: "Apps that can be deployed from the catalog, optionally searched or filtered by category",
  request: {
    query: z.object({
      q: z.string().max(100).optional().meta({ description: "Matches name, description and tags" }),
      category: z.enum(CATALOG_CATEGORIES).optional(),
    }),
  },
  responses: { 200: json(catalogListSchema, "Catalog entries without their templates") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { listCatalogEntries } = await loadCatalog();
  const { q, category } = c.req.valid("query");
  const needle = q?.trim().toLowerCase();
  const items = listCatalogEntries()
    .filter((e) => !category || e.category === category)
    .filter(
      (e) =>
        !needle ||
        e.name.toLowerCase().includes(needle) ||
        e.description.toLowerCase().includes(needle) ||
        e.tags.some((t) => t.toLowerCase().includes(needle)),
    )
    .map(catalogSummary);
  return c.json({ items }, 200);
};
