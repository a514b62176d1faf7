import type { CatalogEntry } from "../schema.ts";
import { monogramIcon, timezoneParameter } from "./common.ts";

/** n8n workflow automation with its SQLite store. */
export const n8n: CatalogEntry = {
  id: "n8n",
  name: "n8n",
  description: "Workflow automation: connect apps and APIs with a visual editor.",
  category: "automation",
  tags: ["workflows", "automation", "webhooks"],
  website: "https://n8n.io/",
  icon: monogramIcon("#ea4b71", "n8n"),
  version: "1.72.1",
  compose: `
services:
  n8n:
    image: n8nio/n8n:1.72.1
    restart: unless-stopped
    ports:
      - "{{ port.http }}:5678"
    environment:
      N8N_ENCRYPTION_KEY: "{{ secret.encryption_key }}"
      WEBHOOK_URL: "{{ app.url }}"
      GENERIC_TIMEZONE: "{{ param.timezone }}"
      TZ: "{{ param.timezone }}"
      N8N_RUNNERS_ENABLED: "true"
    volumes:
      - data:/home/node/.n8n
volumes:
  data: {}
`,
  parameters: [timezoneParameter()],
  secrets: [
    {
      name: "encryption_key",
      length: 48,
      alphabet: "alphanumeric",
      description: "Encrypts stored credentials",
    },
  ],
  volumes: [
    {
      name: "data",
      service: "n8n",
      path: "/home/node/.n8n",
      purpose: "Workflows, credentials, SQLite database",
    },
  ],
  ports: [
    {
      name: "http",
      service: "n8n",
      containerPort: 5678,
      protocol: "tcp",
      http: true,
      description: "Editor and webhooks",
    },
  ],
  minResources: { cores: 1, memoryMiB: 1024, diskGiB: 4 },
  healthCheck: { type: "http", port: "http", path: "/healthz", expectedStatus: [200] },
  notes: "The first visit asks you to set up the owner account. n8n's login cookie needs HTTPS.",
};
