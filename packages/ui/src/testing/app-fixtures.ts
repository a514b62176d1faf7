// Apps and catalog entries as the API returns them, for component tests.
import type { App } from "@pylon/shared";
import type { CatalogEntry } from "@pylon/shared/catalog/schema";

/** An app as `GET /api/v1/apps/{id}` returns it: running nginx in LXC 120. */
export function app(over: Partial<App> = {}): App {
  return {
    id: "app_web",
    name: "web",
    status: "running",
    url: "https://web.apps.example.com",
    nodeId: "node_pve1",
    guest: { type: "lxc", vmid: 120, address: "10.0.0.20" },
    resources: { cores: 1, memoryMb: 512, diskGb: 4, storage: "local-lvm" },
    source: { type: "catalog", catalogId: "nginx", name: "nginx", version: "1.27.3", parameters: {} },
    domain: "web.apps.example.com",
    env: { GREETING: "hello" },
    secretNames: [],
    ports: [{ name: "http", port: 20000 }],
    commit: null,
    lastJobId: "job_deploy",
    lastError: null,
    createdAt: "2026-11-21T10:00:00.000Z",
    updatedAt: "2026-11-21T10:05:00.000Z",
    ...over,
  };
}

/** A catalog entry with one parameter of each type. */
export function catalogEntry(over: Partial<CatalogEntry> = {}): CatalogEntry {
  return {
    id: "wiki",
    name: "Wiki",
    description: "A small wiki.",
    category: "productivity",
    tags: ["wiki"],
    website: "https://wiki.example.org",
    icon: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>',
    version: "2.1.0",
    compose: "services: {}",
    parameters: [
      {
        name: "admin_email",
        label: "Admin email",
        type: "string",
        format: "email",
        required: true,
        description: "Receives the first login link",
      },
      { name: "site_title", label: "Site title", type: "string", default: "My wiki", required: false },
      {
        name: "workers",
        label: "Workers",
        type: "number",
        default: 2,
        min: 1,
        max: 8,
        integer: true,
        required: true,
      },
      { name: "public", label: "Public reading", type: "boolean", default: true, required: true },
      {
        name: "theme",
        label: "Theme",
        type: "enum",
        options: ["light", "dark"],
        default: "dark",
        required: true,
      },
      { name: "admin_password", label: "Admin password", type: "secret", minLength: 12, required: true },
    ],
    secrets: [],
    volumes: [{ name: "data", service: "wiki", path: "/data", purpose: "Pages" }],
    ports: [
      { name: "http", service: "wiki", containerPort: 80, protocol: "tcp", http: true, description: "Web" },
    ],
    minResources: { cores: 1, memoryMiB: 256, diskGiB: 2 },
    healthCheck: { type: "http", port: "http", path: "/", expectedStatus: [200] },
    notes: "",
    ...over,
  };
}
