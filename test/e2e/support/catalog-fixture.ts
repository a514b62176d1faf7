// A test-only catalog app at any version, served to the control plane through PYLON_CATALOG_FILE
// (never part of the shipped catalog). The simulator's container answers with the version it
// runs, or, for a broken release, 500 to everything (so its health check fails).
import { writeFileSync } from "node:fs";
import type { CatalogEntry } from "@pylon/shared/catalog/schema";

/** The demo app's catalog entry at `version`; `broken` releases answer 500. */
export function demoEntry(version: string, broken = false): CatalogEntry {
  return {
    id: "sim-demo",
    name: "Sim demo",
    description: "A test app whose releases say which version they are.",
    category: "web",
    tags: ["test"],
    website: "https://example.com/",
    icon: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>',
    version,
    compose: `
services:
  web:
    image: example/sim-demo:${version}
    restart: unless-stopped
    ports:
      - "{{ port.http }}:8080"
    environment:
      PVE_SIM_REPLY: "sim-demo ${version}"
${broken ? '      PVE_SIM_STATUS: "500"\n' : ""}`,
    parameters: [],
    secrets: [],
    volumes: [],
    ports: [
      { name: "http", service: "web", containerPort: 8080, protocol: "tcp", http: true, description: "Web" },
    ],
    minResources: { cores: 1, memoryMiB: 256, diskGiB: 2 },
    healthCheck: { type: "http", port: "http", path: "/", expectedStatus: [200], timeoutSeconds: 5 },
    notes: "",
  };
}

/** Writes the catalog file with the demo app at `version` (the control plane sees it at once). */
export function publishDemo(file: string, version: string, broken = false): void {
  writeFileSync(file, JSON.stringify([demoEntry(version, broken)]));
}
