import { parse } from "yaml";
import { CatalogParameterError, parameterProblem } from "./parameters.ts";
import { type CatalogEntry, catalogEntrySchema, PLACEHOLDER_PATTERN } from "./schema.ts";

/**
 * Consistency checks for catalog entries beyond the schema: the template is a compose file
 * whose images are pinned, whose named volumes are declared, whose declared ports and volumes
 * exist, and which asks for nothing a catalog app should have (host mounts, privileges).
 * Used by the catalog's tests; cheap enough to run at start-up too.
 */

type Json = Record<string, unknown>;

const TOP_LEVEL_KEYS = new Set(["name", "services", "volumes", "networks", "configs", "secrets"]);
const FORBIDDEN_SERVICE_KEYS = [
  "privileged",
  "network_mode",
  "pid",
  "ipc",
  "cap_add",
  "devices",
  "userns_mode",
];

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True for `repo[:port]/name:tag` where the tag names one release, never `latest` or a bare major. */
export function isPinnedImage(image: string): boolean {
  const m = /^([a-z0-9][a-z0-9._\-/:]*):([A-Za-z0-9_][A-Za-z0-9._-]{0,127})$/.exec(image);
  // A version (1.27.3, v3.0.1) or a release date stamp (MinIO's RELEASE.2024-11-07T00-52-20Z).
  return m !== null && /\d+\.\d+|\d{4}-\d{2}-\d{2}/.test(m[2]!);
}

/** The source side of a short-syntax volume mount, or of a long-syntax one. */
function mountSource(mount: unknown): { source: string; target: string } | undefined {
  if (typeof mount === "string") {
    const [source, target] = mount.split(":");
    return source !== undefined && target !== undefined ? { source, target } : undefined;
  }
  if (isObject(mount) && typeof mount.source === "string" && typeof mount.target === "string") {
    return { source: mount.source, target: mount.target };
  }
  return undefined;
}

/** The container port a `ports:` item publishes, or undefined when it does not parse. */
function publishedContainerPort(item: unknown): number | undefined {
  if (typeof item === "number") return item;
  if (typeof item === "string") {
    const m = /^(?:[\d.]+:)?(?:\d+:)?(\d+)(?:\/(?:tcp|udp))?$/.exec(item);
    return m ? Number(m[1]) : undefined;
  }
  if (isObject(item) && typeof item.target === "number") return item.target;
  return undefined;
}

/** Problems with a parsed compose document as a compose file for `entry` (empty when fine). */
export function composeProblems(compose: unknown, entry: CatalogEntry): string[] {
  const problems: string[] = [];
  if (!isObject(compose)) return ["compose file is not a mapping"];
  for (const key of Object.keys(compose)) {
    if (!TOP_LEVEL_KEYS.has(key)) problems.push(`unexpected top-level key '${key}'`);
  }
  const services = compose.services;
  if (!isObject(services) || Object.keys(services).length === 0) return [...problems, "no services"];
  const declaredVolumes = isObject(compose.volumes) ? Object.keys(compose.volumes) : [];
  const usedVolumes = new Set<string>();
  for (const [name, service] of Object.entries(services)) {
    if (!isObject(service)) {
      problems.push(`service '${name}' is not a mapping`);
      continue;
    }
    const image = service.image;
    if (typeof image !== "string") problems.push(`service '${name}' has no image`);
    else if (!isPinnedImage(image))
      problems.push(`service '${name}': image '${image}' is not pinned to a version tag`);
    for (const key of FORBIDDEN_SERVICE_KEYS) {
      if (key in service) problems.push(`service '${name}' uses '${key}'`);
    }
    if (service.ports !== undefined) {
      if (!Array.isArray(service.ports)) problems.push(`service '${name}': ports is not a list`);
      else
        for (const p of service.ports) {
          if (publishedContainerPort(p) === undefined)
            problems.push(`service '${name}': bad port '${String(p)}'`);
        }
    }
    if (service.volumes !== undefined && !Array.isArray(service.volumes)) {
      problems.push(`service '${name}': volumes is not a list`);
    }
    for (const mount of Array.isArray(service.volumes) ? service.volumes : []) {
      const m = mountSource(mount);
      if (!m) problems.push(`service '${name}': bad volume '${String(mount)}'`);
      else if (/^[./~$]/.test(m.source)) problems.push(`service '${name}': host path mount '${m.source}'`);
      else {
        usedVolumes.add(m.source);
        if (!declaredVolumes.includes(m.source)) {
          problems.push(`service '${name}': volume '${m.source}' is not declared at top level`);
        }
      }
    }
    const deps = Array.isArray(service.depends_on)
      ? service.depends_on
      : isObject(service.depends_on)
        ? Object.keys(service.depends_on)
        : [];
    for (const dep of deps) {
      if (typeof dep !== "string" || !(dep in services))
        problems.push(`service '${name}' depends on unknown '${dep}'`);
    }
  }
  for (const v of declaredVolumes) {
    if (!usedVolumes.has(v)) problems.push(`volume '${v}' is declared but not used`);
  }
  for (const v of entry.volumes) {
    const service = services[v.service];
    const mounts =
      isObject(service) && Array.isArray(service.volumes) ? service.volumes.map(mountSource) : [];
    if (!mounts.some((m) => m?.source === v.name && m.target === v.path)) {
      problems.push(`volume '${v.name}' is not mounted at ${v.path} in service '${v.service}'`);
    }
  }
  for (const v of usedVolumes) {
    if (!entry.volumes.some((ev) => ev.name === v))
      problems.push(`volume '${v}' has no purpose in the entry`);
  }
  for (const port of entry.ports) {
    const service = services[port.service];
    const published =
      isObject(service) && Array.isArray(service.ports) ? service.ports.map(publishedContainerPort) : [];
    if (!published.includes(port.containerPort)) {
      problems.push(`port '${port.name}': service '${port.service}' does not publish ${port.containerPort}`);
    }
  }
  return problems;
}

/** Every problem with an entry: schema, defaults against their own validation, and the template. */
export function checkCatalogEntry(entry: CatalogEntry): string[] {
  const parsed = catalogEntrySchema.safeParse(entry);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  const problems: string[] = [];
  for (const param of entry.parameters) {
    if (param.type === "secret" || param.default === undefined) continue;
    const problem = parameterProblem(param, param.default);
    if (problem)
      problems.push(new CatalogParameterError([{ parameter: param.name, message: problem }]).message);
  }
  // Compose would interpolate a single `$` in the template's own text; literal dollars are `$$`.
  const stray = entry.compose.replaceAll("$$", "").match(/\$[{(A-Za-z_]?/);
  if (stray) problems.push(`template contains '${stray[0]}', which compose would interpolate`);
  // Structure is checked on the template with ports at their defaults and other values inert.
  const ports = new Map(entry.ports.map((p) => [p.name, String(p.containerPort)]));
  const sample = entry.compose.replace(PLACEHOLDER_PATTERN, (_m, kind: string, name: string) =>
    kind === "port" ? (ports.get(name) ?? "0") : "x",
  );
  let compose: unknown;
  try {
    compose = parse(sample, { uniqueKeys: true });
  } catch (err) {
    return [...problems, `template is not valid YAML: ${err instanceof Error ? err.message : String(err)}`];
  }
  return [...problems, ...composeProblems(compose, entry)];
}
