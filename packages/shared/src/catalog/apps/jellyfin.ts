import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** Jellyfin media server. */
export const jellyfin: CatalogEntry = {
  id: "jellyfin",
  name: "Jellyfin",
  description: "A media server for your films, series and music, streamed to any device.",
  category: "media",
  tags: ["media", "streaming", "video"],
  website: "https://jellyfin.org/",
  icon: monogramIcon("#00a4dc", "J"),
  version: "10.10.3",
  compose: `
services:
  jellyfin:
    image: jellyfin/jellyfin:10.10.3
    restart: unless-stopped
    ports:
      - "{{ port.http }}:8096"
    environment:
      TZ: "{{ param.timezone }}"
    volumes:
      - config:/config
      - cache:/cache
      - media:/media
volumes:
  config: {}
  cache: {}
  media: {}
`,
  parameters: [
    {
      name: "timezone",
      label: "Time zone",
      type: "string",
      format: "timezone",
      default: "Etc/UTC",
      required: true,
    },
  ],
  secrets: [],
  volumes: [
    { name: "config", service: "jellyfin", path: "/config", purpose: "Library database, users and settings" },
    {
      name: "cache",
      service: "jellyfin",
      path: "/cache",
      purpose: "Transcodes and image cache (disposable)",
    },
    { name: "media", service: "jellyfin", path: "/media", purpose: "Your media files" },
  ],
  ports: [
    {
      name: "http",
      service: "jellyfin",
      containerPort: 8096,
      protocol: "tcp",
      http: true,
      description: "Web",
    },
  ],
  minResources: { cores: 2, memoryMiB: 2048, diskGiB: 20 },
  healthCheck: { type: "http", port: "http", path: "/health", expectedStatus: [200] },
  notes: "The first visit runs the setup wizard: create the admin user and add /media as a library.",
};
