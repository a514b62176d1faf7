import { type RouteHandler, z } from "@hono/zod-openapi";
import { catalogEntrySchema } from "@pylon/shared/catalog/schema";
import type { AppEnv } from "../../env.ts";
import { notFound } from "../../errors.ts";
import { loadCatalog } from "../../services/catalog.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/catalog/{id}",
  tags: ["catalog"],
  summary: "One catalog entry with its parameters and compose template",
  request: { params: z.object({ id: z.string().max(63) }) },
  responses: { 200: json(catalogEntrySchema, "The entry"), 404: err("No such app in the catalog") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { getCatalogEntry } = await loadCatalog();
  const entry = getCatalogEntry(c.req.valid("param").id);
  if (!entry) throw notFound("Catalog app");
  return c.json(entry, 200);
};
