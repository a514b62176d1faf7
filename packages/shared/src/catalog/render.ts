import { parse, parseDocument, visit } from "yaml";
import { type ParameterValue, resolveParameters } from "./parameters.ts";
import { type CatalogEntry, PLACEHOLDER_PATTERN } from "./schema.ts";
import { checkSecrets } from "./secrets.ts";

/** Deploy-time facts a template may refer to besides parameters and secrets. */
export interface RenderOptions {
  /** Host port per port name (from the port registry); defaults to the container port. */
  ports?: Readonly<Record<string, number>>;
  /** The app's name (a DNS label; defaults to the entry id). */
  appName?: string;
  /** The app's public URL, e.g. `https://blog.pylon.internal`; defaults to the guest's HTTP port on localhost. */
  appUrl?: string;
}

// shared compiles without DOM or Node types; URL is a global in every runtime it runs in.
declare const URL: new (
  input: string,
) => { protocol: string; hostname: string; host: string; username: string; password: string; href: string };

/** The `{{ app.* }}` values, validated: they come from the platform but end up in the file too. */
function appValues(
  entry: CatalogEntry,
  options: RenderOptions,
  hostPorts: Record<string, string>,
): Record<string, string> {
  const name = options.appName ?? entry.id;
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
    throw new CatalogTemplateError(`app name '${name}' is not a DNS label`);
  }
  const httpPort = entry.ports.find((p) => p.http) ?? entry.ports[0];
  const raw = options.appUrl ?? `http://localhost:${httpPort ? hostPorts[httpPort.name] : 80}`;
  let url: InstanceType<typeof URL>;
  try {
    url = new URL(raw);
  } catch {
    throw new CatalogTemplateError(`app URL '${raw}' is not a URL`);
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.username ||
    url.password ||
    /[\s"'`$\\]/.test(raw)
  ) {
    throw new CatalogTemplateError(`app URL '${raw}' must be a plain http(s) URL`);
  }
  return { name, url: url.href.replace(/\/+$/, ""), host: url.hostname, scheme: url.protocol.slice(0, -1) };
}

/** Thrown when a catalog template itself is broken (a bug in the catalog, not user input). */
export class CatalogTemplateError extends Error {
  override readonly name = "CatalogTemplateError";
}

/**
 * Compose interpolates `$VAR`, `${VAR}` and `$(…)`-looking text inside values; `$$` is its
 * escape for a literal `$` (https://docs.docker.com/reference/compose-file/interpolation/).
 */
export function escapeComposeValue(value: string): string {
  return value.replaceAll("$", "$$$$");
}

function valueText(value: ParameterValue): string {
  return typeof value === "string" ? value : String(value);
}

/**
 * Renders an entry's compose template with validated parameters (defaults filled) and the
 * deploy's generated secrets. Placeholders are substituted inside already-parsed string
 * scalars, every substituted scalar is written double-quoted with `$` doubled, and the output
 * is parsed back and compared with what was meant, so no value can become YAML structure or
 * compose interpolation.
 */
export function renderCompose(
  entry: CatalogEntry,
  params: Readonly<Record<string, unknown>>,
  secrets: Readonly<Record<string, unknown>>,
  options: RenderOptions = {},
): string {
  const values = resolveParameters(entry, params);
  const secretValues = checkSecrets(entry, secrets);
  const portValues: Record<string, string> = {};
  for (const port of entry.ports) {
    const host = options.ports?.[port.name] ?? port.containerPort;
    if (!Number.isInteger(host) || host < 1 || host > 65535) {
      throw new CatalogTemplateError(`port '${port.name}': host port ${host} is not a valid port`);
    }
    portValues[port.name] = String(host);
  }

  const app = appValues(entry, options, portValues);
  const tables: Record<string, Record<string, ParameterValue>> = {
    param: values,
    secret: secretValues,
    port: portValues,
    app,
  };

  const lookup = (kind: string, name: string): string => {
    const table = tables[kind] ?? {};
    const value = Object.hasOwn(table, name) ? table[name] : undefined;
    if (value === undefined)
      throw new CatalogTemplateError(`${entry.id}: placeholder '${kind}.${name}' has no value`);
    return kind === "port" ? valueText(value) : escapeComposeValue(valueText(value));
  };

  const doc = parseDocument(entry.compose, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new CatalogTemplateError(`${entry.id}: template is not valid YAML: ${doc.errors[0]?.message}`);
  }
  visit(doc, {
    Scalar(key, node) {
      if (typeof node.value !== "string" || !node.value.includes("{{")) return;
      if (key === "key") throw new CatalogTemplateError(`${entry.id}: placeholders are not allowed in keys`);
      const malformed = node.value.replace(PLACEHOLDER_PATTERN, "").match(/\{\{[^}]*\}*/);
      if (malformed) throw new CatalogTemplateError(`${entry.id}: unresolved placeholder '${malformed[0]}'`);
      // One pass over the template text: substituted values are never scanned again.
      node.value = node.value.replace(PLACEHOLDER_PATTERN, (_m, kind: string, name: string) =>
        lookup(kind, name),
      );
      node.type = "QUOTE_DOUBLE";
    },
  });
  const meant: unknown = doc.toJS();
  const text = doc.toString({ lineWidth: 0, doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER });

  // Belt and braces: the text we hand to compose must parse back to exactly what we meant.
  const reparsed: unknown = parse(text, { uniqueKeys: true });
  if (!deepEqual(reparsed, meant)) {
    throw new CatalogTemplateError(`${entry.id}: rendered compose file does not round-trip`);
  }
  return text;
}

/** Structural equality over the plain data YAML parses to (no node:util: shared runs in browsers). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}
