import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** Gitea with its built-in SQLite database. */
export const gitea: CatalogEntry = {
  id: "gitea",
  name: "Gitea",
  description: "A lightweight Git forge: repositories, issues, pull requests and packages.",
  category: "development",
  tags: ["git", "forge", "ci"],
  website: "https://about.gitea.com/",
  icon: monogramIcon("#609926", "Gt"),
  version: "1.22.6",
  compose: `
services:
  gitea:
    image: gitea/gitea:1.22.6
    restart: unless-stopped
    ports:
      - "{{ port.http }}:3000"
      - "{{ port.ssh }}:22"
    environment:
      USER_UID: "1000"
      USER_GID: "1000"
      GITEA__database__DB_TYPE: sqlite3
      GITEA__server__ROOT_URL: "{{ app.url }}"
      GITEA__server__SSH_PORT: "{{ port.ssh }}"
      GITEA__service__DISABLE_REGISTRATION: "{{ param.disable_registration }}"
    volumes:
      - data:/data
volumes:
  data: {}
`,
  parameters: [
    {
      name: "disable_registration",
      label: "Disable self-registration",
      type: "boolean",
      default: false,
      required: true,
      description: "Turn on after the admin account exists",
    },
  ],
  secrets: [],
  volumes: [
    { name: "data", service: "gitea", path: "/data", purpose: "Repositories, database and configuration" },
  ],
  ports: [
    { name: "http", service: "gitea", containerPort: 3000, protocol: "tcp", http: true, description: "Web" },
    {
      name: "ssh",
      service: "gitea",
      containerPort: 22,
      protocol: "tcp",
      http: false,
      description: "Git over SSH",
    },
  ],
  minResources: { cores: 1, memoryMiB: 512, diskGiB: 10 },
  healthCheck: { type: "http", port: "http", path: "/api/healthz", expectedStatus: [200] },
  notes:
    "The first visit shows Gitea's install page with SQLite preselected; the first account becomes admin.",
};
