// Builds the parameters of an app.deploy job from an app row and its sealed secrets.
import type { AppDeployParams } from "@pylon/shared";
import { type CatalogEntry, DEFAULT_HEALTH_TIMEOUT_SECONDS } from "@pylon/shared/catalog/schema";
import type { AppRow } from "../db/schema/index.ts";
import { ApiError } from "../errors.ts";
import { loadCatalog } from "./catalog.ts";

/** What is sealed per app: user secrets, catalog secret parameters and generated secrets, a deploy key. */
export interface AppSecrets {
  secrets: Record<string, string>;
  catalogSecrets: Record<string, string>;
  secretParameters: Record<string, string>;
  deployKey?: string;
}

/** Names considered private: served with Caddy's internal CA rather than ACME. */
export function isPrivateHost(host: string): boolean {
  return /(^|\.)(internal|lan|local|localhost|home\.arpa|test|example)$/.test(host) || !host.includes(".");
}

/**
 * The id of an app's route in Caddy: a DNS label (what the agent accepts as a route id), made
 * from the app id (`app_x1y2…` → `app-x1y2…`).
 */
export function routeIdOf(appId: string): string {
  return appId.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}

async function catalogEntry(row: AppRow): Promise<CatalogEntry> {
  if (row.source.type !== "catalog") throw new Error("not a catalog app");
  const entry = (await loadCatalog()).getCatalogEntry(row.source.catalogId);
  if (!entry) throw new ApiError("conflict", `Catalog app '${row.source.catalogId}' no longer exists`);
  return entry;
}

/** The entry's port that serves HTTP (routed by name). */
export function httpPortName(entry: CatalogEntry): string {
  return entry.ports.find((p) => p.http)?.name ?? entry.ports[0]?.name ?? "http";
}

/**
 * Job params (stored in clear, no secrets) and the sealed part merged in on the wire. A catalog
 * compose is rendered here, with the app's generated passwords, so it belongs to the sealed part.
 */
export async function deployJob(
  row: AppRow,
  secrets: AppSecrets,
  ports: { name: string; port: number }[],
  mode: AppDeployParams["mode"],
  url: string,
  cloneFrom?: number,
  reviewedCommit?: string,
): Promise<{
  params: AppDeployParams;
  sealed: { secrets: Record<string, string>; deployKey?: string; compose?: string; mask?: string[] };
}> {
  const portOf = (name: string) => ports.find((p) => p.name === name)?.port;
  const base = {
    appId: row.id,
    name: row.name,
    mode,
    ...(row.vmid !== null && mode === "redeploy" ? { vmid: row.vmid } : {}),
    ...(mode === "clone" && cloneFrom !== undefined ? { cloneFrom } : {}),
    guest: {
      type: row.guestType,
      cores: row.cores,
      memoryMb: row.memoryMb,
      diskGb: row.diskGb,
      storage: row.storage,
      bridge: row.bridge,
    },
    env: row.env,
    route: {
      id: routeIdOf(row.id),
      host: row.domain,
      tls: isPrivateHost(row.domain) ? ("internal" as const) : ("acme" as const),
    },
  };
  if (row.source.type === "catalog") {
    const entry = await catalogEntry(row);
    const { renderCompose } = await loadCatalog();
    const hostPorts = Object.fromEntries(ports.map((p) => [p.name, p.port]));
    const compose = renderCompose(
      entry,
      { ...row.source.parameters, ...secrets.secretParameters },
      secrets.catalogSecrets,
      { ports: hostPorts, appUrl: url, appName: row.name },
    );
    const hc = entry.healthCheck;
    const httpName = hc.port ?? httpPortName(entry);
    return {
      params: {
        ...base,
        catalogVersion: entry.version,
        source: { type: "compose", compose: "" },
        http: {
          port: portOf(httpName) ?? 0,
          path: hc.type === "http" ? hc.path : "/",
          ...(hc.type === "http" ? { expectStatus: hc.expectedStatus } : {}),
          timeoutSeconds: hc.timeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_SECONDS,
        },
      },
      sealed: {
        secrets: secrets.secrets,
        compose,
        mask: [...Object.values(secrets.catalogSecrets), ...Object.values(secrets.secretParameters)],
      },
    };
  }
  const s = row.source;
  return {
    params: {
      ...base,
      source: {
        type: "git",
        url: s.url,
        ref: s.ref,
        ...(s.subdirectory ? { subdirectory: s.subdirectory } : {}),
        buildMode: s.buildMode,
        ...(s.port ? { containerPort: s.port } : {}),
        ...(s.hostKey ? { hostKey: s.hostKey.fingerprint } : {}),
        ...(s.plan && Object.keys(s.plan).length ? { plan: s.plan } : {}),
        // The first deploy builds the commit the user reviewed the plan at; later ones the ref's head.
        ...(reviewedCommit ? { commit: reviewedCommit } : {}),
      },
      http: { port: portOf("http") ?? 0, path: "/", timeoutSeconds: 300 },
    },
    sealed: { secrets: secrets.secrets, ...(secrets.deployKey ? { deployKey: secrets.deployKey } : {}) },
  };
}
