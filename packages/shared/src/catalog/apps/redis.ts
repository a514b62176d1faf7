import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** A standalone Redis server with a password and append-only persistence. */
export const redis: CatalogEntry = {
  id: "redis",
  name: "Redis",
  description: "In-memory key-value store, with a password and append-only persistence.",
  category: "database",
  tags: ["cache", "key-value", "queue"],
  website: "https://redis.io/",
  icon: monogramIcon("#d82c20", "R"),
  version: "7.4.1",
  compose: `
services:
  redis:
    image: redis:7.4.1-alpine
    restart: unless-stopped
    command:
      - redis-server
      - "--appendonly"
      - "yes"
      - "--maxmemory"
      - "{{ param.max_memory_mb }}mb"
      - "--requirepass"
      - "{{ secret.password }}"
    ports:
      - "{{ port.redis }}:6379"
    volumes:
      - data:/data
volumes:
  data: {}
`,
  parameters: [
    {
      name: "max_memory_mb",
      label: "Memory limit (MiB)",
      type: "number",
      integer: true,
      min: 16,
      max: 65536,
      default: 256,
      required: true,
    },
  ],
  secrets: [{ name: "password", length: 32, alphabet: "alphanumeric", description: "AUTH password" }],
  volumes: [{ name: "data", service: "redis", path: "/data", purpose: "Append-only file and snapshots" }],
  ports: [
    {
      name: "redis",
      service: "redis",
      containerPort: 6379,
      protocol: "tcp",
      http: false,
      description: "RESP",
    },
  ],
  minResources: { cores: 1, memoryMiB: 512, diskGiB: 2 },
  healthCheck: { type: "tcp", port: "redis" },
  notes: "Connect on port 6379 with the generated password (AUTH). There is no web UI.",
};
