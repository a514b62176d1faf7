import { parse } from "yaml";
import { BuildDetectionError } from "./types.ts";

/** Compose file names in the order `docker compose` itself prefers them. */
export const COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

/** Images that are a project's backing services or tools, never the app that serves it. */
const INFRASTRUCTURE =
  /^(?:[\w.-]+\/)*(postgres|postgis|mysql|mariadb|mongo|redis|valkey|memcached|rabbitmq|elasticsearch|opensearch|minio|mailhog|mailpit|adminer|phpmyadmin|pgadmin4?|mongo-express|redis-commander|localstack|zookeeper|kafka|traefik|portainer|watchtower)(:|@|$)/i;

interface Port {
  published: number | null;
  target: number;
}

export interface ComposeService {
  name: string;
  builds: boolean;
  image: string | null;
  ports: Port[];
  expose: number[];
  infrastructure: boolean;
}

export interface ComposeFile {
  services: ComposeService[];
  /** Signs that the file runs a development stack rather than a production one. */
  devSigns: string[];
}

function parsePort(p: unknown): Port | null {
  if (typeof p === "number") return { published: null, target: p };
  if (typeof p === "object" && p !== null) {
    const o = p as { published?: unknown; target?: unknown };
    const target = Number(o.target);
    const published = Number(o.published);
    return Number.isInteger(target)
      ? { target, published: Number.isInteger(published) && published > 0 ? published : null }
      : null;
  }
  // "[ip:]published:target[/proto]"; a bare "target" publishes on a random port.
  const m =
    /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[\da-f:]+\]):)?(?:(\d+)(?:-\d+)?:)?(\d+)(?:-\d+)?(?:\/(?:tcp|udp))?$/i.exec(
      String(p),
    );
  if (!m) return null;
  return { published: m[1] ? Number(m[1]) : null, target: Number(m[2]) };
}

/** Reads a compose file's services, their ports and whether it looks like a development stack. */
export function readCompose(text: string): ComposeFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new BuildDetectionError(
      `the compose file is not valid YAML: ${err instanceof Error ? err.message.split("\n")[0] : err}`,
    );
  }
  const services = (doc as { services?: unknown } | null)?.services;
  if (typeof services !== "object" || services === null || Array.isArray(services))
    throw new BuildDetectionError("the compose file has no services mapping");
  const devSigns = new Set<string>();
  const out: ComposeService[] = [];
  for (const [name, raw] of Object.entries(services)) {
    const s = (raw ?? {}) as Record<string, unknown>;
    const image = typeof s.image === "string" ? s.image : null;
    const ports = (Array.isArray(s.ports) ? s.ports : []).map(parsePort).filter((p): p is Port => p !== null);
    const expose = (Array.isArray(s.expose) ? s.expose : [])
      .map((e) => Number(String(e).split("/")[0]))
      .filter(Number.isInteger);
    for (const v of Array.isArray(s.volumes) ? s.volumes : []) {
      const source =
        typeof v === "string" ? v.split(":")[0]! : String((v as { source?: unknown })?.source ?? "");
      if (source.includes("docker.sock")) devSigns.add(`${name} mounts the Docker socket`);
      else if (/^\.{1,2}(\/|$)/.test(source)) devSigns.add(`${name} bind-mounts source (${source})`);
    }
    const command = Array.isArray(s.command) ? s.command.join(" ") : String(s.command ?? "");
    if (/\b(npm run dev|yarn dev|pnpm dev|nodemon|--reload|runserver|flask run|vite(\s|$))/.test(command))
      devSigns.add(`${name} runs a development server (${command.slice(0, 60)})`);
    if (
      typeof s.build === "object" &&
      s.build !== null &&
      /dev/i.test(String((s.build as { target?: unknown }).target ?? ""))
    )
      devSigns.add(`${name} builds the ${String((s.build as { target?: unknown }).target)} target`);
    if (s.develop !== undefined) devSigns.add(`${name} has a develop (watch) section`);
    const infrastructure = !s.build && image !== null && INFRASTRUCTURE.test(image);
    if (image && /^(adminer|phpmyadmin|mongo-express|pgadmin)/i.test(image.split("/").pop() ?? ""))
      devSigns.add(`${name} is an admin UI (${image})`);
    out.push({ name, builds: Boolean(s.build), image, ports, expose, infrastructure });
  }
  return { services: out, devSigns: [...devSigns] };
}

/**
 * The service that serves HTTP: the one the user named, else the one that builds from the
 * repository and publishes a port, else any non-infrastructure service publishing a port,
 * else the only buildable service. Null when every service is a backing service.
 */
export function webService(file: ComposeFile, wanted?: string): ComposeService | null {
  if (wanted) {
    const s = file.services.find((x) => x.name === wanted);
    if (!s)
      throw new BuildDetectionError(
        `the compose file has no service "${wanted}" (it has ${file.services.map((x) => x.name).join(", ")})`,
      );
    return s;
  }
  const apps = file.services.filter((s) => !s.infrastructure);
  const publishes = (s: ComposeService) => s.ports.some((p) => p.published !== null);
  return (
    apps.find((s) => s.builds && publishes(s)) ??
    apps.find(publishes) ??
    (apps.filter((s) => s.builds).length === 1 ? apps.find((s) => s.builds)! : null) ??
    (apps.length === 1 ? apps[0]! : null)
  );
}

/** The first port a compose file's web service publishes (`"8080:80"` → 8080), or null. */
export function composePublishedPort(text: string): number | null {
  const file = readCompose(text);
  const web = webService(file);
  return web?.ports.find((p) => p.published !== null)?.published ?? null;
}
