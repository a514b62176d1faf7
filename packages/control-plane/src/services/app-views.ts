import type { App } from "@pylon/shared";
import type { AppRow } from "../db/schema/index.ts";
import { iso } from "../lib/time.ts";

/** The URL an app is served at through the node's Caddy. */
export function appUrl(domain: string, httpsPort: number): string {
  return httpsPort === 443 ? `https://${domain}` : `https://${domain}:${httpsPort}`;
}

/** The API view of an app: secrets appear only by name. */
export function toApp(
  row: AppRow,
  ports: { name: string; port: number }[],
  httpsPort: number,
  metrics: App["metrics"] = null,
): App {
  const s = row.source;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    url: row.vmid !== null && row.status !== "deleting" ? appUrl(row.domain, httpsPort) : null,
    nodeId: row.nodeId,
    guest: { type: row.guestType, vmid: row.vmid, address: row.address },
    resources: { cores: row.cores, memoryMb: row.memoryMb, diskGb: row.diskGb, storage: row.storage },
    source:
      s.type === "catalog"
        ? {
            type: "catalog",
            catalogId: s.catalogId,
            name: s.name ?? s.catalogId,
            version: s.version,
            parameters: s.parameters,
          }
        : {
            type: "git",
            url: s.url,
            ref: s.ref,
            subdirectory: s.subdirectory,
            buildMode: s.buildMode,
            port: s.port,
            plan: s.plan ?? null,
            hasDeployKey: row.secretNames.includes("__deploy_key"),
            hostKey: s.hostKey ?? null,
          },
    domain: row.domain,
    env: row.env,
    secretNames: row.secretNames.filter((n) => !n.startsWith("__")),
    ports,
    commit: row.commit,
    lastJobId: row.lastJobId,
    lastError: row.lastError,
    update:
      s.type === "catalog"
        ? {
            current: s.version,
            available: row.availableVersion,
            checkedAt: row.updateCheckedAt === null ? null : iso(row.updateCheckedAt),
          }
        : null,
    snapshots: row.snapshots,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    metrics,
  };
}
