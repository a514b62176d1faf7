import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** Uptime Kuma status monitoring. */
export const uptimeKuma: CatalogEntry = {
  id: "uptime-kuma",
  name: "Uptime Kuma",
  description: "Monitors websites and services and shows status pages.",
  category: "monitoring",
  tags: ["uptime", "status-page", "alerts"],
  website: "https://uptime.kuma.pet/",
  icon: monogramIcon("#5cdd8b", "UK", "#0b2e18"),
  version: "1.23.16",
  compose: `
services:
  kuma:
    image: louislam/uptime-kuma:1.23.16
    restart: unless-stopped
    ports:
      - "{{ port.http }}:3001"
    volumes:
      - data:/app/data
volumes:
  data: {}
`,
  parameters: [],
  secrets: [],
  volumes: [
    { name: "data", service: "kuma", path: "/app/data", purpose: "Monitors, history and settings (SQLite)" },
  ],
  ports: [
    { name: "http", service: "kuma", containerPort: 3001, protocol: "tcp", http: true, description: "Web" },
  ],
  minResources: { cores: 1, memoryMiB: 256, diskGiB: 4 },
  healthCheck: { type: "http", port: "http", path: "/", expectedStatus: [200, 302] },
  notes: "The first visit asks you to create the admin account.",
};
