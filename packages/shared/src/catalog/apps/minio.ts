import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** MinIO S3-compatible object storage, single node. */
export const minio: CatalogEntry = {
  id: "minio",
  name: "MinIO",
  description: "S3-compatible object storage with a web console.",
  category: "storage",
  tags: ["s3", "object-storage"],
  website: "https://min.io/",
  icon: monogramIcon("#c72c48", "M"),
  version: "RELEASE.2024-11-07T00-52-20Z",
  compose: `
services:
  minio:
    image: minio/minio:RELEASE.2024-11-07T00-52-20Z
    restart: unless-stopped
    command:
      - server
      - /data
      - "--console-address"
      - ":9001"
    ports:
      - "{{ port.api }}:9000"
      - "{{ port.console }}:9001"
    environment:
      MINIO_ROOT_USER: "{{ param.root_user }}"
      MINIO_ROOT_PASSWORD: "{{ secret.root_password }}"
    volumes:
      - data:/data
volumes:
  data: {}
`,
  parameters: [
    {
      name: "root_user",
      label: "Root user",
      type: "string",
      default: "minioadmin",
      required: true,
      pattern: "[A-Za-z0-9_-]{3,64}",
      patternMessage: "must be 3 to 64 letters, digits, _ or -",
      description: "The root access key",
    },
  ],
  secrets: [
    { name: "root_password", length: 32, alphabet: "alphanumeric", description: "The root secret key" },
  ],
  volumes: [{ name: "data", service: "minio", path: "/data", purpose: "Buckets and objects" }],
  ports: [
    {
      name: "console",
      service: "minio",
      containerPort: 9001,
      protocol: "tcp",
      http: true,
      description: "Web console",
    },
    {
      name: "api",
      service: "minio",
      containerPort: 9000,
      protocol: "tcp",
      http: false,
      description: "S3 API",
    },
  ],
  minResources: { cores: 1, memoryMiB: 1024, diskGiB: 20 },
  healthCheck: { type: "http", port: "api", path: "/minio/health/live", expectedStatus: [200] },
  notes:
    "Log in to the console with the root user and the generated root_password. The S3 API is on port 9000.",
};
