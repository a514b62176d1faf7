import type { CatalogEntry } from "../schema.ts";
import { monogramIcon, timezoneParameter } from "./common.ts";

/** Home Assistant Core in a container (bridge networking: no LAN auto-discovery). */
export const homeAssistant: CatalogEntry = {
  id: "home-assistant",
  name: "Home Assistant",
  description: "Home automation that puts local control and privacy first.",
  category: "home",
  tags: ["smart-home", "automation", "iot"],
  website: "https://www.home-assistant.io/",
  icon: monogramIcon("#18bcf2", "HA"),
  version: "2024.12.5",
  compose: `
services:
  homeassistant:
    image: ghcr.io/home-assistant/home-assistant:2024.12.5
    restart: unless-stopped
    ports:
      - "{{ port.http }}:8123"
    environment:
      TZ: "{{ param.timezone }}"
    volumes:
      - config:/config
volumes:
  config: {}
`,
  parameters: [timezoneParameter()],
  secrets: [],
  volumes: [
    {
      name: "config",
      service: "homeassistant",
      path: "/config",
      purpose: "Configuration, database, integrations",
    },
  ],
  ports: [
    {
      name: "http",
      service: "homeassistant",
      containerPort: 8123,
      protocol: "tcp",
      http: true,
      description: "Web",
    },
  ],
  minResources: { cores: 2, memoryMiB: 2048, diskGiB: 16 },
  healthCheck: { type: "http", port: "http", path: "/", expectedStatus: [200, 302], timeoutSeconds: 300 },
  notes:
    "The first visit runs onboarding. Behind Pylon's proxy, add http.use_x_forwarded_for and trusted_proxies to configuration.yaml. Discovery of LAN devices needs host networking, which this template does not use.",
};
