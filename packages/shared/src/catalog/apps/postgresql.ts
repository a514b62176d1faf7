import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** A standalone PostgreSQL server. */
export const postgresql: CatalogEntry = {
  id: "postgresql",
  name: "PostgreSQL",
  description: "The relational database, as a standalone server.",
  category: "database",
  tags: ["sql", "database"],
  website: "https://www.postgresql.org/",
  icon: monogramIcon("#336791", "PG"),
  version: "17.2",
  compose: `
services:
  postgres:
    image: postgres:17.2-alpine
    restart: unless-stopped
    ports:
      - "{{ port.postgres }}:5432"
    environment:
      POSTGRES_USER: "{{ param.user }}"
      POSTGRES_PASSWORD: "{{ secret.password }}"
      POSTGRES_DB: "{{ param.database }}"
    volumes:
      - data:/var/lib/postgresql/data
volumes:
  data: {}
`,
  parameters: [
    {
      name: "user",
      label: "Superuser name",
      type: "string",
      default: "postgres",
      required: true,
      pattern: "[a-z_][a-z0-9_]{0,62}",
      patternMessage: "must be a lower-case SQL identifier",
    },
    {
      name: "database",
      label: "Database name",
      type: "string",
      default: "app",
      required: true,
      pattern: "[a-z_][a-z0-9_]{0,62}",
      patternMessage: "must be a lower-case SQL identifier",
    },
  ],
  secrets: [{ name: "password", length: 32, alphabet: "alphanumeric", description: "Superuser password" }],
  volumes: [
    { name: "data", service: "postgres", path: "/var/lib/postgresql/data", purpose: "Database cluster" },
  ],
  ports: [
    {
      name: "postgres",
      service: "postgres",
      containerPort: 5432,
      protocol: "tcp",
      http: false,
      description: "SQL",
    },
  ],
  minResources: { cores: 1, memoryMiB: 512, diskGiB: 8 },
  healthCheck: { type: "tcp", port: "postgres" },
  notes:
    "Connect with the superuser and the generated password on the guest's address, port 5432. There is no web UI.",
};
