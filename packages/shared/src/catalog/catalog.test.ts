import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import {
  CATALOG_APPS,
  checkCatalogEntry,
  composeProblems,
  generateSecrets,
  getCatalogEntry,
  renderCompose,
} from "./index.ts";
import { catalogEntrySchema, catalogListSchema, catalogSummary } from "./schema.ts";

const REQUIRED_APPS = [
  "nginx",
  "wordpress",
  "ghost",
  "gitea",
  "uptime-kuma",
  "vaultwarden",
  "nextcloud",
  "code-server",
  "grafana",
  "prometheus",
  "n8n",
  "postgresql",
  "redis",
  "minio",
  "jellyfin",
  "home-assistant",
  "mealie",
  "paperless-ngx",
  "actual",
];

describe("the app catalog", () => {
  it("has at least 20 apps with unique ids, including every app a self-hoster expects", () => {
    expect(CATALOG_APPS.length).toBeGreaterThanOrEqual(20);
    const ids = CATALOG_APPS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of REQUIRED_APPS) expect(getCatalogEntry(id)?.id, id).toBe(id);
    expect(getCatalogEntry("nope")).toBeUndefined();
  });

  it.each(CATALOG_APPS.map((e) => [e.id, e] as const))(
    "%s parses with the schema and passes every check",
    (_id, entry) => {
      const parsed = catalogEntrySchema.safeParse(entry);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      expect(checkCatalogEntry(entry)).toEqual([]);
    },
  );

  it.each(CATALOG_APPS.map((e) => [e.id, e] as const))(
    "%s renders with defaults and fresh secrets to a compose file",
    (_id, entry) => {
      const secrets = generateSecrets(entry);
      const text = renderCompose(entry, {}, secrets);
      expect(text).not.toMatch(/\{\{|\}\}/);
      const compose: unknown = parse(text);
      expect(composeProblems(compose, entry)).toEqual([]);
      // Every generated secret reaches the file, and so does every default.
      for (const value of Object.values(secrets)) expect(text).toContain(value);
      for (const p of entry.parameters) {
        if (p.type !== "secret" && p.default !== undefined && entry.compose.includes(`param.${p.name}`)) {
          expect(text).toContain(String(p.default));
        }
      }
    },
  );

  it("pins every image to a version and never to latest", () => {
    for (const entry of CATALOG_APPS) {
      expect(entry.version).not.toBe("latest");
      const images = [...entry.compose.matchAll(/image:\s*(\S+)/g)].map((m) => m[1]);
      expect(images.length, entry.id).toBeGreaterThan(0);
      for (const image of images) expect(image, entry.id).toMatch(/:[^:]*(\d+\.\d+|\d{4}-\d\d-\d\d)[^:]*$/);
    }
  });

  it("has exactly one HTTP entry port for every app with a web UI, and small original icons", () => {
    for (const entry of CATALOG_APPS) {
      const http = entry.ports.filter((p) => p.http);
      if (entry.category !== "database") expect(http, entry.id).toHaveLength(1);
      expect(entry.icon.length).toBeLessThan(2000);
      expect(entry.icon).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
  });

  it("generates secrets of the declared length and alphabet, different on every deploy", () => {
    const entry = getCatalogEntry("wordpress")!;
    const a = generateSecrets(entry);
    const b = generateSecrets(entry);
    expect(a.db_password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(a.db_password).not.toBe(b.db_password);
    expect(a.db_password).not.toBe(a.db_root_password);
  });
});

describe("catalog checks catch broken entries", () => {
  const base = getCatalogEntry("nginx")!;

  it("rejects an unpinned image, an undeclared volume and a host mount", () => {
    const bad = {
      ...base,
      compose: base.compose
        .replace("nginx:1.27.3-alpine", "nginx:latest")
        .replace(
          "- html:/usr/share/nginx/html",
          "- html:/usr/share/nginx/html\n      - /etc:/host-etc\n      - extra:/x",
        ),
    };
    expect(checkCatalogEntry(bad)).toEqual(
      expect.arrayContaining([
        "service 'web': image 'nginx:latest' is not pinned to a version tag",
        "service 'web': host path mount '/etc'",
        "service 'web': volume 'extra' is not declared at top level",
      ]),
    );
  });

  it("rejects undeclared and malformed placeholders, and a stray compose variable", () => {
    const undeclared = { ...base, compose: base.compose.replace("{{ port.http }}", "{{ param.nope }}") };
    expect(checkCatalogEntry(undeclared)).toContain("compose: placeholder 'param.nope' is not declared");
    const fact = { ...base, compose: base.compose.replace("{{ port.http }}", "{{ app.secret_sauce }}") };
    expect(checkCatalogEntry(fact)).toContain("compose: placeholder 'app.secret_sauce' is not declared");
    const malformed = { ...base, compose: base.compose.replace("{{ port.http }}", "{{ port.http") };
    expect(checkCatalogEntry(malformed).join("\n")).toMatch(/malformed placeholder/);
    const dollar = { ...base, compose: `${base.compose}# \${HOME}\n` };
    expect(checkCatalogEntry(dollar)).toContain("template contains '${', which compose would interpolate");
  });

  it("rejects a health check on an unknown port and a default that fails its own validation", () => {
    const bad = {
      ...base,
      healthCheck: { type: "tcp" as const, port: "nope" },
    };
    expect(checkCatalogEntry(bad).join("\n")).toMatch(/health check port 'nope'/);
    const prom = getCatalogEntry("prometheus")!;
    const badDefault = {
      ...prom,
      parameters: prom.parameters.map((p) => (p.type === "string" ? { ...p, default: "forever" } : p)),
    };
    expect(checkCatalogEntry(badDefault)).toEqual([
      "parameter 'retention': must be a duration such as 15d, 12w or 1y",
    ]);
  });
});

describe("catalog schemas for the API", () => {
  it("convert to JSON Schema (what the OpenAPI document is built from)", () => {
    const list = z.toJSONSchema(catalogListSchema, { io: "output" });
    expect(JSON.stringify(list)).toContain('"items"');
    expect(() => z.toJSONSchema(catalogEntrySchema, { io: "output" })).not.toThrow();
  });

  it("list summaries carry everything but the template", () => {
    const parsed = catalogListSchema.parse({ items: CATALOG_APPS.map(catalogSummary) });
    expect(parsed.items).toHaveLength(CATALOG_APPS.length);
    expect(parsed.items[0]).not.toHaveProperty("compose");
    expect(parsed.items[0]).toHaveProperty("minResources");
  });
});
