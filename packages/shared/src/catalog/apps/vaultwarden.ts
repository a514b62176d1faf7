import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** Vaultwarden, the Bitwarden-compatible password manager server. */
export const vaultwarden: CatalogEntry = {
  id: "vaultwarden",
  name: "Vaultwarden",
  description: "A Bitwarden-compatible password manager server; works with the Bitwarden apps.",
  category: "security",
  tags: ["passwords", "bitwarden"],
  website: "https://github.com/dani-garcia/vaultwarden",
  icon: monogramIcon("#175ddc", "VW"),
  version: "1.32.7",
  compose: `
services:
  vaultwarden:
    image: vaultwarden/server:1.32.7
    restart: unless-stopped
    ports:
      - "{{ port.http }}:80"
    environment:
      DOMAIN: "{{ app.url }}"
      SIGNUPS_ALLOWED: "{{ param.signups_allowed }}"
      ADMIN_TOKEN: "{{ secret.admin_token }}"
    volumes:
      - data:/data
volumes:
  data: {}
`,
  parameters: [
    {
      name: "signups_allowed",
      label: "Allow sign-ups",
      type: "boolean",
      default: true,
      required: true,
      description: "Turn off once your accounts exist",
    },
  ],
  secrets: [
    { name: "admin_token", length: 48, alphabet: "base64url", description: "Token for the /admin page" },
  ],
  volumes: [
    { name: "data", service: "vaultwarden", path: "/data", purpose: "Vault database and attachments" },
  ],
  ports: [
    {
      name: "http",
      service: "vaultwarden",
      containerPort: 80,
      protocol: "tcp",
      http: true,
      description: "Web",
    },
  ],
  minResources: { cores: 1, memoryMiB: 256, diskGiB: 2 },
  healthCheck: { type: "http", port: "http", path: "/alive", expectedStatus: [200] },
  notes:
    "Create your account on the web vault (browsers require HTTPS). The /admin page takes the generated admin_token.",
};
