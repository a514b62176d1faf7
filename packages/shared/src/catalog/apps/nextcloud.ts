import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** Nextcloud on Apache with PostgreSQL and Redis. */
export const nextcloud: CatalogEntry = {
  id: "nextcloud",
  name: "Nextcloud",
  description: "Files, calendars, contacts and collaboration, with PostgreSQL and Redis.",
  category: "productivity",
  tags: ["files", "sync", "calendar", "php"],
  website: "https://nextcloud.com/",
  icon: monogramIcon("#0082c9", "NC"),
  version: "30.0.4",
  compose: `
services:
  app:
    image: nextcloud:30.0.4-apache
    restart: unless-stopped
    depends_on:
      - db
      - redis
    ports:
      - "{{ port.http }}:80"
    environment:
      POSTGRES_HOST: db
      POSTGRES_DB: nextcloud
      POSTGRES_USER: nextcloud
      POSTGRES_PASSWORD: "{{ secret.db_password }}"
      NEXTCLOUD_ADMIN_USER: "{{ param.admin_user }}"
      NEXTCLOUD_ADMIN_PASSWORD: "{{ secret.admin_password }}"
      NEXTCLOUD_TRUSTED_DOMAINS: "{{ app.host }} {{ param.trusted_domains }}"
      OVERWRITEPROTOCOL: "{{ app.scheme }}"
      OVERWRITECLIURL: "{{ app.url }}"
      REDIS_HOST: redis
    volumes:
      - html:/var/www/html
  db:
    image: postgres:16.6-alpine
    restart: unless-stopped
    environment:
      POSTGRES_DB: nextcloud
      POSTGRES_USER: nextcloud
      POSTGRES_PASSWORD: "{{ secret.db_password }}"
    volumes:
      - db_data:/var/lib/postgresql/data
  redis:
    image: redis:7.4.1-alpine
    restart: unless-stopped
volumes:
  html: {}
  db_data: {}
`,
  parameters: [
    {
      name: "admin_user",
      label: "Admin user name",
      type: "string",
      default: "admin",
      required: true,
      pattern: "[A-Za-z0-9_.@-]{1,64}",
      patternMessage: "must be 1 to 64 letters, digits or _.@-",
    },
    {
      name: "trusted_domains",
      label: "More trusted domains",
      type: "string",
      default: "localhost",
      required: false,
      pattern: "[A-Za-z0-9.:\\-]+( [A-Za-z0-9.:\\-]+)*",
      patternMessage: "must be host names separated by single spaces",
      description: "Other host names Nextcloud answers to besides the app's own, space-separated",
    },
  ],
  secrets: [
    {
      name: "admin_password",
      length: 24,
      alphabet: "alphanumeric",
      description: "Password of the admin user",
    },
    { name: "db_password", length: 32, alphabet: "alphanumeric", description: "PostgreSQL password" },
  ],
  volumes: [
    {
      name: "html",
      service: "app",
      path: "/var/www/html",
      purpose: "Nextcloud code, config, apps and user files",
    },
    { name: "db_data", service: "db", path: "/var/lib/postgresql/data", purpose: "PostgreSQL data" },
  ],
  ports: [
    { name: "http", service: "app", containerPort: 80, protocol: "tcp", http: true, description: "Web" },
  ],
  minResources: { cores: 2, memoryMiB: 2048, diskGiB: 20 },
  healthCheck: {
    type: "http",
    port: "http",
    path: "/status.php",
    expectedStatus: [200],
    timeoutSeconds: 600,
  },
  notes:
    "Sign in as the admin user with the generated admin_password. The first start installs Nextcloud and takes a few minutes.",
};
