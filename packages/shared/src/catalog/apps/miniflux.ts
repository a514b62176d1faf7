import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** Miniflux feed reader with PostgreSQL. */
export const miniflux: CatalogEntry = {
  id: "miniflux",
  name: "Miniflux",
  description: "A minimalist, fast feed reader (RSS, Atom, JSON Feed).",
  category: "reading",
  tags: ["rss", "feeds", "reader"],
  website: "https://miniflux.app/",
  icon: monogramIcon("#2e3440", "Mx"),
  version: "2.2.4",
  compose: `
services:
  miniflux:
    image: miniflux/miniflux:2.2.4
    restart: unless-stopped
    depends_on:
      - db
    ports:
      - "{{ port.http }}:8080"
    environment:
      DATABASE_URL: "postgres://miniflux:{{ secret.db_password }}@db/miniflux?sslmode=disable"
      RUN_MIGRATIONS: "1"
      CREATE_ADMIN: "1"
      ADMIN_USERNAME: "{{ param.admin_user }}"
      ADMIN_PASSWORD: "{{ secret.admin_password }}"
      BASE_URL: "{{ app.url }}"
  db:
    image: postgres:17.2-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: miniflux
      POSTGRES_PASSWORD: "{{ secret.db_password }}"
      POSTGRES_DB: miniflux
    volumes:
      - db_data:/var/lib/postgresql/data
volumes:
  db_data: {}
`,
  parameters: [
    {
      name: "admin_user",
      label: "Admin user name",
      type: "string",
      default: "admin",
      required: true,
      pattern: "[A-Za-z0-9_.@-]{3,50}",
      patternMessage: "must be 3 to 50 letters, digits or _.@-",
    },
  ],
  secrets: [
    // Alphanumeric only: it sits inside DATABASE_URL, where URL delimiters would break it.
    { name: "db_password", length: 32, alphabet: "alphanumeric", description: "PostgreSQL password" },
    {
      name: "admin_password",
      length: 24,
      alphabet: "alphanumeric",
      description: "Password of the admin user",
    },
  ],
  volumes: [
    { name: "db_data", service: "db", path: "/var/lib/postgresql/data", purpose: "Feeds and entries" },
  ],
  ports: [
    {
      name: "http",
      service: "miniflux",
      containerPort: 8080,
      protocol: "tcp",
      http: true,
      description: "Web",
    },
  ],
  minResources: { cores: 1, memoryMiB: 512, diskGiB: 4 },
  healthCheck: { type: "http", port: "http", path: "/healthcheck", expectedStatus: [200] },
  notes: "Sign in as the admin user with the generated admin_password.",
};
