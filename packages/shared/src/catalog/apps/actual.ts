import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** Actual Budget sync server (serves the web app too). */
export const actual: CatalogEntry = {
  id: "actual",
  name: "Actual Budget",
  description: "Envelope budgeting that stays on your server, with sync across devices.",
  category: "finance",
  tags: ["budget", "finance"],
  website: "https://actualbudget.org/",
  icon: monogramIcon("#8719e0", "A"),
  version: "24.12.0",
  compose: `
services:
  actual:
    image: actualbudget/actual-server:24.12.0
    restart: unless-stopped
    ports:
      - "{{ port.http }}:5006"
    volumes:
      - data:/data
volumes:
  data: {}
`,
  parameters: [],
  secrets: [],
  volumes: [{ name: "data", service: "actual", path: "/data", purpose: "Budget files and server settings" }],
  ports: [
    { name: "http", service: "actual", containerPort: 5006, protocol: "tcp", http: true, description: "Web" },
  ],
  minResources: { cores: 1, memoryMiB: 512, diskGiB: 2 },
  healthCheck: { type: "http", port: "http", path: "/", expectedStatus: [200] },
  notes: "The first visit asks for a server password. The web app needs HTTPS (it uses SharedArrayBuffer).",
};
