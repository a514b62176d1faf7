import type { CatalogEntry } from "../schema.ts";
import { monogramIcon, timezoneParameter } from "./common.ts";

/** Mealie recipe manager with SQLite. */
export const mealie: CatalogEntry = {
  id: "mealie",
  name: "Mealie",
  description: "Recipe manager and meal planner with shopping lists and recipe import by URL.",
  category: "home",
  tags: ["recipes", "meal-planning"],
  website: "https://mealie.io/",
  icon: monogramIcon("#e58325", "Me"),
  version: "2.4.1",
  compose: `
services:
  mealie:
    image: ghcr.io/mealie-recipes/mealie:v2.4.1
    restart: unless-stopped
    ports:
      - "{{ port.http }}:9000"
    environment:
      ALLOW_SIGNUP: "{{ param.allow_signup }}"
      BASE_URL: "{{ app.url }}"
      TZ: "{{ param.timezone }}"
      DB_ENGINE: sqlite
    volumes:
      - data:/app/data
volumes:
  data: {}
`,
  parameters: [
    timezoneParameter(),
    { name: "allow_signup", label: "Allow sign-ups", type: "boolean", default: false, required: true },
  ],
  secrets: [],
  volumes: [
    { name: "data", service: "mealie", path: "/app/data", purpose: "Recipes, images and SQLite database" },
  ],
  ports: [
    { name: "http", service: "mealie", containerPort: 9000, protocol: "tcp", http: true, description: "Web" },
  ],
  minResources: { cores: 1, memoryMiB: 1024, diskGiB: 4 },
  healthCheck: { type: "http", port: "http", path: "/api/app/about", expectedStatus: [200] },
  notes: "Sign in with Mealie's default account changeme@example.com / MyPassword and change it at once.",
};
