import { CaddyAdmin, isNotFound } from "./caddy-admin.ts";
import {
  at,
  FALLBACK_TAG,
  fallbackRoute,
  isObject,
  type Json,
  policyObject,
  policyTag,
  type RouteInfo,
  readRoutes,
  routeObject,
  routeTag,
  sameJson,
} from "./caddy-config.ts";
import {
  checkHost,
  checkRouteId,
  checkUpstream,
  isPrivateHost,
  RouteInputError,
  type TlsMode,
  tlsModeFor,
} from "./names.ts";

export interface CaddyRoutesOptions {
  /** Caddy's admin endpoint (default http://127.0.0.1:2019). */
  adminUrl?: string;
  /** Key of Pylon's server under apps.http.servers (default `pylon`). */
  serverName?: string;
  /** Port the server listens on for HTTPS (default 443). */
  httpsPort?: number;
  /** Caddy's HTTP port for redirects and ACME challenges (default 80). */
  httpPort?: number;
  /** Contact address given to the ACME CA for public names. */
  acmeEmail?: string;
  timeoutMs?: number;
}

/** One app's route: name → guest address, with the TLS mode decided by the name if not given. */
export interface RouteSpec {
  id: string;
  host: string;
  /** `addr:port` of the app in its guest. */
  upstream: string;
  tls?: TlsMode;
}

/**
 * Pylon's routes in a real Caddy, through its admin API. Every call is idempotent (a retried
 * deploy step or an undo never fails on "already exists" or "not found"), calls on one
 * instance are serialised (Caddy's admin API has no transactions, and 2.6 accepts duplicate
 * `@id`s), and config Pylon does not own is never replaced.
 */
export class CaddyRoutes {
  readonly #admin: CaddyAdmin;
  readonly #server: string;
  readonly #httpsPort: number;
  readonly #httpPort: number;
  readonly #acmeEmail: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: CaddyRoutesOptions = {}) {
    this.#admin = new CaddyAdmin(opts.adminUrl ?? "http://127.0.0.1:2019", opts.timeoutMs);
    this.#server = opts.serverName ?? "pylon";
    if (!/^[A-Za-z0-9_-]+$/.test(this.#server)) throw new Error(`invalid Caddy server name ${this.#server}`);
    this.#httpsPort = opts.httpsPort ?? 443;
    this.#httpPort = opts.httpPort ?? 80;
    this.#acmeEmail = opts.acmeEmail;
  }

  /** Creates Pylon's HTTPS server if missing and repairs its listen address and fallback route. */
  async ensureServer(): Promise<void> {
    await this.#locked(() => this.#ensureServer());
  }

  /** Creates or updates an app's route and its TLS policy; returns what is now configured. */
  async upsertRoute(spec: RouteSpec): Promise<RouteInfo> {
    const id = checkRouteId(spec.id);
    const host = checkHost(spec.host);
    const upstream = checkUpstream(spec.upstream);
    const tls = spec.tls ?? tlsModeFor(host);
    if (tls !== "internal" && tls !== "acme") throw new RouteInputError(`tls must be "internal" or "acme"`);
    if (tls === "acme" && isPrivateHost(host))
      throw new RouteInputError(`${host} is a private name: no ACME CA can issue for it; use tls "internal"`);
    return this.#locked(async () => {
      const config = await this.#ensureServer();
      const routes = at(config, this.#routesPath());
      const clash = readRoutes(routes, []).find((r) => r.host === host && r.id !== id);
      if (clash) throw new RouteInputError(`host ${host} is already routed to app ${clash.id}`);
      // Policy first, route second: a route never serves without its certificate policy.
      const policies = at(config, ["apps", "tls", "automation", "policies"]);
      await this.#upsertTagged(
        config,
        policies,
        ["apps", "tls", "automation", "policies"],
        policyObject(id, host, tls, this.#acmeEmail),
      );
      await this.#upsertTagged(config, routes, this.#routesPath(), routeObject(id, host, upstream));
      return { id, host, upstream, tls };
    });
  }

  /** Removes an app's route and TLS policy; a missing route is not an error. Resolves true if one existed. */
  async removeRoute(id: string): Promise<boolean> {
    checkRouteId(id);
    return this.#locked(async () => {
      // Route first, so a name never serves without its policy; duplicates are removed too.
      const removed = await this.#deleteAll(routeTag(id));
      await this.#deleteAll(policyTag(id));
      return removed;
    });
  }

  /** The app routes Pylon manages in this Caddy. */
  listRoutes(): Promise<RouteInfo[]> {
    return this.#locked(async () => {
      const config = await this.#admin.request("GET", "/config/");
      return readRoutes(
        at(config, this.#routesPath()),
        at(config, ["apps", "tls", "automation", "policies"]),
      );
    });
  }

  #routesPath(): string[] {
    return ["apps", "http", "servers", this.#server, "routes"];
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #ensureServer(): Promise<unknown> {
    const config: unknown = (await this.#admin.request("GET", "/config/")) ?? {};
    const serverPath = ["apps", "http", "servers", this.#server];
    const listen = [`:${this.#httpsPort}`];
    const server = at(config, serverPath);
    if (!isObject(server)) {
      await this.#createAt(config, serverPath, { listen, routes: [fallbackRoute()] });
    } else {
      if (!sameJson(server.listen, listen)) await this.#set(config, [...serverPath, "listen"], listen);
      const routes = Array.isArray(server.routes) ? server.routes : undefined;
      if (!routes) await this.#set(config, [...serverPath, "routes"], [fallbackRoute()]);
      else if (!routes.some((r) => isObject(r) && r["@id"] === FALLBACK_TAG)) {
        await this.#admin.request("POST", configUrl([...serverPath, "routes"]), fallbackRoute());
        routes.push(fallbackRoute());
      }
    }
    // App-wide ports: set only when absent, so another site's explicit choice is kept.
    for (const [key, port, dflt] of [
      ["http_port", this.#httpPort, 80],
      ["https_port", this.#httpsPort, 443],
    ] as const)
      if (port !== dflt && at(config, ["apps", "http", key]) === undefined)
        await this.#set(config, ["apps", "http", key], port);
    // Without this Caddy (running as root) installs its internal root CA in the host's trust store.
    const ca = ["apps", "pki", "certificate_authorities", "local"];
    if (at(config, ca) === undefined) await this.#createAt(config, ca, { install_trust: false });
    return config;
  }

  /** Inserts (first) or replaces the object with this `@id` in an array at path; drops duplicates. */
  async #upsertTagged(config: unknown, list: unknown, path: string[], obj: Json): Promise<void> {
    const tag = obj["@id"] as string;
    const existing = Array.isArray(list) ? list.filter((x) => isObject(x) && x["@id"] === tag) : [];
    if (existing.length === 1 && sameJson(existing[0], obj)) return;
    for (let i = 1; i < existing.length; i++) await this.#admin.request("DELETE", `/id/${tag}`);
    if (existing.length > 0) await this.#admin.request("PATCH", `/id/${tag}`, obj);
    // PUT on an array index inserts there: first, ahead of the fallback route and of any
    // catch-all TLS policy (Caddy requires those last).
    else if (Array.isArray(list) && list.length > 0)
      await this.#admin.request("PUT", configUrl([...path, "0"]), obj);
    // An emptied array (every app removed): Caddy refuses index 0 there, so append.
    else if (Array.isArray(list)) await this.#admin.request("POST", configUrl(path), obj);
    else await this.#createAt(config, path, [obj]);
  }

  async #deleteAll(tag: string): Promise<boolean> {
    let removed = false;
    for (let i = 0; i < 100; i++) {
      try {
        await this.#admin.request("DELETE", `/id/${tag}`);
        removed = true;
      } catch (err) {
        if (isNotFound(err)) return removed;
        throw err;
      }
    }
    return removed;
  }

  /**
   * Sets a key whose parent object exists: PATCH replaces an existing value (POST would append
   * to an existing array, e.g. turn `listen` into a list of lists), POST creates a missing one.
   */
  async #set(config: unknown, path: string[], value: unknown): Promise<void> {
    const exists = at(config, path) !== undefined;
    await this.#admin.request(exists ? "PATCH" : "POST", configUrl(path), value);
    const parent = at(config, path.slice(0, -1));
    if (isObject(parent)) parent[path[path.length - 1]!] = value;
  }

  /**
   * Creates value at path below the deepest existing object, nesting the missing keys (Caddy
   * refuses to traverse missing parents). Only ever writes at a key that does not exist, and
   * mirrors the write in the local copy so later steps see it.
   */
  async #createAt(config: unknown, path: string[], value: unknown): Promise<void> {
    let depth = 0;
    while (depth < path.length - 1 && isObject(at(config, path.slice(0, depth + 1)))) depth++;
    let nested: unknown = value;
    for (let i = path.length - 1; i > depth; i--) nested = { [path[i]!]: nested };
    const parent = at(config, path.slice(0, depth));
    if (!isObject(parent)) throw new Error("Caddy's config root is not an object");
    await this.#admin.request("POST", configUrl(path.slice(0, depth + 1)), nested);
    parent[path[depth]!] = nested;
  }
}

/** The admin URL of a config path (keys are constants or checked names, never user text). */
function configUrl(path: readonly string[]): string {
  return `/config/${path.map(encodeURIComponent).join("/")}`;
}
