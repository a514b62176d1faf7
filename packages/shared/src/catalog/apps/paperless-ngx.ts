import type { CatalogEntry } from "../schema.ts";
import { monogramIcon, timezoneParameter } from "./common.ts";

/** Paperless-ngx with a Redis broker and SQLite. */
export const paperlessNgx: CatalogEntry = {
  id: "paperless-ngx",
  name: "Paperless-ngx",
  description: "Scan, OCR, index and archive your paper documents.",
  category: "productivity",
  tags: ["documents", "ocr", "archive"],
  website: "https://docs.paperless-ngx.com/",
  icon: monogramIcon("#17541f", "Pa"),
  version: "2.13.5",
  compose: `
services:
  webserver:
    image: ghcr.io/paperless-ngx/paperless-ngx:2.13.5
    restart: unless-stopped
    depends_on:
      - broker
    ports:
      - "{{ port.http }}:8000"
    environment:
      PAPERLESS_REDIS: "redis://broker:6379"
      PAPERLESS_DBENGINE: sqlite
      PAPERLESS_SECRET_KEY: "{{ secret.secret_key }}"
      PAPERLESS_ADMIN_USER: "{{ param.admin_user }}"
      PAPERLESS_ADMIN_PASSWORD: "{{ secret.admin_password }}"
      PAPERLESS_URL: "{{ app.url }}"
      # PAPERLESS_URL alone would narrow ALLOWED_HOSTS to the public name; keep local probes working.
      PAPERLESS_ALLOWED_HOSTS: "{{ app.host }},localhost,127.0.0.1"
      PAPERLESS_TIME_ZONE: "{{ param.timezone }}"
      PAPERLESS_OCR_LANGUAGE: "{{ param.ocr_language }}"
    volumes:
      - data:/usr/src/paperless/data
      - media:/usr/src/paperless/media
      - export:/usr/src/paperless/export
      - consume:/usr/src/paperless/consume
  broker:
    image: redis:7.4.1-alpine
    restart: unless-stopped
    volumes:
      - redis_data:/data
volumes:
  data: {}
  media: {}
  export: {}
  consume: {}
  redis_data: {}
`,
  parameters: [
    {
      name: "admin_user",
      label: "Admin user name",
      type: "string",
      default: "admin",
      required: true,
      pattern: "[A-Za-z0-9_.@+-]{1,150}",
      patternMessage: "must be letters, digits or _.@+-",
    },
    timezoneParameter(),
    {
      name: "ocr_language",
      label: "OCR language",
      type: "enum",
      // The languages the official image ships (docs: PAPERLESS_OCR_LANGUAGE).
      options: ["eng", "deu", "fra", "ita", "spa"],
      default: "eng",
      required: true,
    },
  ],
  secrets: [
    { name: "secret_key", length: 50, alphabet: "alphanumeric", description: "Django secret key" },
    {
      name: "admin_password",
      length: 24,
      alphabet: "alphanumeric",
      description: "Password of the admin user",
    },
  ],
  volumes: [
    {
      name: "data",
      service: "webserver",
      path: "/usr/src/paperless/data",
      purpose: "Database and search index",
    },
    {
      name: "media",
      service: "webserver",
      path: "/usr/src/paperless/media",
      purpose: "Original and archived documents",
    },
    {
      name: "export",
      service: "webserver",
      path: "/usr/src/paperless/export",
      purpose: "Document exporter output",
    },
    {
      name: "consume",
      service: "webserver",
      path: "/usr/src/paperless/consume",
      purpose: "Inbox: files put here are imported",
    },
    { name: "redis_data", service: "broker", path: "/data", purpose: "Task queue" },
  ],
  ports: [
    {
      name: "http",
      service: "webserver",
      containerPort: 8000,
      protocol: "tcp",
      http: true,
      description: "Web",
    },
  ],
  minResources: { cores: 2, memoryMiB: 2048, diskGiB: 20 },
  healthCheck: {
    type: "http",
    port: "http",
    path: "/accounts/login/",
    expectedStatus: [200],
    timeoutSeconds: 300,
  },
  notes: "Sign in as the admin user with the generated admin_password.",
};
