import { z } from "zod";
import { CATALOG_CATEGORIES } from "../values.ts";
import { catalogParameterSchema, keyNameSchema } from "./parameter-schema.ts";

export * from "./parameter-schema.ts";

/**
 * The app catalog: what a catalog entry is. Entries are data (one file per app in ./apps),
 * validated by these schemas in a test and served as-is by `GET /api/v1/catalog`.
 *
 * A compose template is docker-compose YAML whose string scalars may contain placeholders:
 * `{{ param.<name> }}`, `{{ secret.<name> }}`, `{{ port.<name> }}` and `{{ app.<fact> }}`. They are filled by
 * `renderCompose` after the template is parsed, so a value can never become YAML structure.
 */

export { CATALOG_CATEGORIES, type CatalogCategory } from "../values.ts";

/** The placeholder grammar, shared by the schema (reference checks) and the renderer. */
export const PLACEHOLDER_PATTERN = /\{\{\s*(param|secret|port|app)\.([a-z][a-z0-9_]*)\s*\}\}/g;

/**
 * Facts about the deployed app the platform supplies (`{{ app.url }}` …): its public URL
 * without a trailing slash, that URL's host and scheme, and the app's name.
 */
export const APP_PLACEHOLDERS = ["url", "host", "scheme", "name"] as const;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A catalog id: a DNS label, so it can double as a default app name. */
export const catalogIdSchema = z
  .string()
  .min(1)
  .max(40)
  .regex(DNS_LABEL, "must be lower-case letters, digits and inner hyphens (a DNS label)");

export const SECRET_ALPHABETS = ["alphanumeric", "hex", "base64url"] as const;
export type SecretAlphabet = (typeof SECRET_ALPHABETS)[number];

export const catalogSecretSchema = z
  .object({
    name: keyNameSchema,
    length: z.number().int().min(8).max(256),
    alphabet: z.enum(SECRET_ALPHABETS),
    description: z.string().max(300),
  })
  .strict()
  .meta({ id: "CatalogSecret", description: "Generated per deploy; never defaulted" });
export type CatalogSecret = z.infer<typeof catalogSecretSchema>;

export const catalogVolumeSchema = z
  .object({
    name: keyNameSchema.meta({ description: "The compose named volume" }),
    service: z.string().min(1),
    path: z.string().startsWith("/").meta({ description: "Mount point inside the container" }),
    purpose: z.string().min(1).max(200),
  })
  .strict()
  .meta({ id: "CatalogVolume" });
export type CatalogVolume = z.infer<typeof catalogVolumeSchema>;

export const catalogPortSchema = z
  .object({
    name: keyNameSchema,
    service: z.string().min(1),
    containerPort: z.number().int().min(1).max(65535),
    protocol: z.enum(["tcp", "udp"]),
    http: z.boolean().meta({ description: "The app's web entry point, routed by name" }),
    description: z.string().max(200),
  })
  .strict()
  .meta({ id: "CatalogPort" });
export type CatalogPort = z.infer<typeof catalogPortSchema>;

export const catalogResourcesSchema = z
  .object({
    cores: z.number().int().min(1).max(64),
    // No lower than a deploy may ask for (the target's 256 MiB and 2 GiB), so the catalog's
    // "needs at least" and the wizard's minimum say the same.
    memoryMiB: z.number().int().min(256).max(262144),
    diskGiB: z.number().int().min(2).max(4096),
  })
  .strict()
  .meta({ id: "CatalogResources" });
export type CatalogResources = z.infer<typeof catalogResourcesSchema>;

/** How long a health check may take by default when an entry does not say. */
export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 120;

export const catalogHealthCheckSchema = z
  .discriminatedUnion("type", [
    z
      .object({
        type: z.literal("http"),
        port: keyNameSchema.meta({ description: "Name of one of the entry's ports" }),
        path: z.string().startsWith("/"),
        expectedStatus: z.array(z.number().int().min(100).max(599)).min(1),
        timeoutSeconds: z.number().int().min(5).max(1800).optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal("tcp"),
        port: keyNameSchema,
        timeoutSeconds: z.number().int().min(5).max(1800).optional(),
      })
      .strict(),
  ])
  .meta({
    id: "CatalogHealthCheck",
    description: "Probe the guest's host port for `port`, sending the app's public host name as Host",
  });
export type CatalogHealthCheck = z.infer<typeof catalogHealthCheckSchema>;

/** An inline SVG (or SVG data URI) authored for the catalog: small, and nothing active in it. */
export const catalogIconSchema = z
  .string()
  .max(6000)
  .refine((s) => s.startsWith("<svg ") || s.startsWith("data:image/svg+xml"), "must be an inline SVG")
  .refine(
    (s) => !/<script|\son[a-z]+\s*=|(?:href|src)\s*=\s*["'](?!#)/i.test(s),
    "must not contain scripts, event handlers or external references",
  );

/** The placeholders a template uses, as `kind.name` strings. */
export function templatePlaceholders(compose: string): string[] {
  return [...compose.matchAll(PLACEHOLDER_PATTERN)].map((m) => `${m[1]}.${m[2]}`);
}

function duplicates(names: string[]): string[] {
  return names.filter((n, i) => names.indexOf(n) !== i);
}

const catalogEntryObject = z
  .object({
    id: catalogIdSchema,
    name: z.string().min(1).max(60),
    description: z.string().min(1).max(300),
    category: z.enum(CATALOG_CATEGORIES),
    tags: z.array(z.string().regex(DNS_LABEL)).max(10),
    website: z.url({ protocol: /^https$/ }),
    icon: catalogIconSchema,
    version: z
      .string()
      .min(1)
      .max(60)
      .refine((v) => v !== "latest", "must be a pinned version, not 'latest'")
      .meta({ description: "The app version the template pins" }),
    compose: z.string().min(1).max(20000).meta({ description: "docker-compose template with placeholders" }),
    parameters: z.array(catalogParameterSchema),
    secrets: z.array(catalogSecretSchema),
    volumes: z.array(catalogVolumeSchema),
    ports: z.array(catalogPortSchema).min(1),
    minResources: catalogResourcesSchema,
    healthCheck: catalogHealthCheckSchema,
    notes: z.string().max(2000).meta({ description: "First-login hints shown after deploy" }),
  })
  .strict();

export const catalogEntrySchema = catalogEntryObject
  .superRefine((entry, ctx) => {
    const sets = {
      param: entry.parameters.map((p) => p.name),
      secret: entry.secrets.map((s) => s.name),
      port: entry.ports.map((p) => p.name),
      app: [...APP_PLACEHOLDERS] as string[],
    };
    for (const [kind, names] of Object.entries(sets).filter(([k]) => k !== "app")) {
      for (const d of new Set(duplicates(names))) {
        ctx.addIssue({ code: "custom", path: [kind], message: `${kind} '${d}' is declared twice` });
      }
    }
    for (const d of new Set(duplicates(entry.volumes.map((v) => `${v.name}`)))) {
      ctx.addIssue({ code: "custom", path: ["volumes"], message: `volume '${d}' is declared twice` });
    }
    for (const ref of new Set(templatePlaceholders(entry.compose))) {
      const [kind, name] = ref.split(".") as [keyof typeof sets, string];
      if (!sets[kind].includes(name)) {
        ctx.addIssue({ code: "custom", path: ["compose"], message: `placeholder '${ref}' is not declared` });
      }
    }
    const stray = entry.compose.replace(PLACEHOLDER_PATTERN, "").match(/\{\{[^}]*\}?\}?/);
    if (stray) {
      ctx.addIssue({ code: "custom", path: ["compose"], message: `malformed placeholder '${stray[0]}'` });
    }
    if (entry.ports.filter((p) => p.http).length > 1) {
      ctx.addIssue({ code: "custom", path: ["ports"], message: "at most one port is the HTTP entry" });
    }
    if (!sets.port.includes(entry.healthCheck.port)) {
      ctx.addIssue({
        code: "custom",
        path: ["healthCheck", "port"],
        message: `health check port '${entry.healthCheck.port}' is not one of the entry's ports`,
      });
    }
  })
  .meta({ id: "CatalogEntry" });
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

/** What the catalog list shows: everything but the template itself. */
export const catalogSummarySchema = catalogEntryObject.omit({ compose: true }).meta({ id: "CatalogSummary" });
export type CatalogSummary = z.infer<typeof catalogSummarySchema>;

/** The answer of `GET /api/v1/catalog`. */
export const catalogListSchema = z
  .object({ items: z.array(catalogSummarySchema) })
  .meta({ id: "CatalogList" });

/** The summary of an entry, for the list endpoint. */
export function catalogSummary(entry: CatalogEntry): CatalogSummary {
  const { compose: _compose, ...summary } = entry;
  return summary;
}
