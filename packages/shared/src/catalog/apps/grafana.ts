import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** Grafana OSS dashboards. */
export const grafana: CatalogEntry = {
  id: "grafana",
  name: "Grafana",
  description: "Dashboards and alerting over Prometheus, Loki, PostgreSQL and many more sources.",
  category: "monitoring",
  tags: ["dashboards", "metrics", "alerting"],
  website: "https://grafana.com/oss/grafana/",
  icon: monogramIcon("#f46800", "Gf"),
  version: "11.4.0",
  compose: `
services:
  grafana:
    image: grafana/grafana-oss:11.4.0
    restart: unless-stopped
    ports:
      - "{{ port.http }}:3000"
    environment:
      GF_SECURITY_ADMIN_USER: "{{ param.admin_user }}"
      GF_SECURITY_ADMIN_PASSWORD: "{{ secret.admin_password }}"
      GF_SERVER_ROOT_URL: "{{ app.url }}"
      GF_USERS_ALLOW_SIGN_UP: "false"
    volumes:
      - data:/var/lib/grafana
volumes:
  data: {}
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
  ],
  secrets: [
    {
      name: "admin_password",
      length: 24,
      alphabet: "alphanumeric",
      description: "Password of the admin user",
    },
  ],
  volumes: [
    { name: "data", service: "grafana", path: "/var/lib/grafana", purpose: "Dashboards, users and plugins" },
  ],
  ports: [
    {
      name: "http",
      service: "grafana",
      containerPort: 3000,
      protocol: "tcp",
      http: true,
      description: "Web",
    },
  ],
  minResources: { cores: 1, memoryMiB: 512, diskGiB: 4 },
  healthCheck: { type: "http", port: "http", path: "/api/health", expectedStatus: [200] },
  notes: "Sign in as the admin user with the generated admin_password.",
};
