import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** Prometheus with the image's default configuration (it scrapes itself). */
export const prometheus: CatalogEntry = {
  id: "prometheus",
  name: "Prometheus",
  description: "Metrics collection and a time-series database with PromQL.",
  category: "monitoring",
  tags: ["metrics", "tsdb"],
  website: "https://prometheus.io/",
  icon: monogramIcon("#e6522c", "P"),
  version: "3.0.1",
  compose: `
services:
  prometheus:
    image: prom/prometheus:v3.0.1
    restart: unless-stopped
    command:
      - "--config.file=/etc/prometheus/prometheus.yml"
      - "--storage.tsdb.path=/prometheus"
      - "--storage.tsdb.retention.time={{ param.retention }}"
    ports:
      - "{{ port.http }}:9090"
    volumes:
      - data:/prometheus
volumes:
  data: {}
`,
  parameters: [
    {
      name: "retention",
      label: "Retention",
      type: "string",
      default: "15d",
      required: true,
      pattern: "[1-9][0-9]{0,4}(h|d|w|y)",
      patternMessage: "must be a duration such as 15d, 12w or 1y",
      description: "How long samples are kept",
    },
  ],
  secrets: [],
  volumes: [{ name: "data", service: "prometheus", path: "/prometheus", purpose: "Time-series database" }],
  ports: [
    {
      name: "http",
      service: "prometheus",
      containerPort: 9090,
      protocol: "tcp",
      http: true,
      description: "Web and API",
    },
  ],
  minResources: { cores: 1, memoryMiB: 1024, diskGiB: 10 },
  healthCheck: { type: "http", port: "http", path: "/-/healthy", expectedStatus: [200] },
  notes:
    "The bundled configuration scrapes Prometheus itself; edit prometheus.yml to add targets. There is no login.",
};
