import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** Ghost with MySQL 8, the database Ghost supports in production. */
export const ghost: CatalogEntry = {
  id: "ghost",
  name: "Ghost",
  description: "A publishing platform for blogs and newsletters.",
  category: "cms",
  tags: ["blog", "newsletter", "node"],
  website: "https://ghost.org/",
  icon: monogramIcon("#15171a", "G"),
  version: "5.105.0",
  compose: `
services:
  ghost:
    image: ghost:5.105.0-alpine
    restart: unless-stopped
    depends_on:
      - db
    ports:
      - "{{ port.http }}:2368"
    environment:
      url: "{{ app.url }}"
      database__client: mysql
      database__connection__host: db
      database__connection__user: ghost
      database__connection__password: "{{ secret.db_password }}"
      database__connection__database: ghost
    volumes:
      - content:/var/lib/ghost/content
  db:
    image: mysql:8.0.40
    restart: unless-stopped
    environment:
      MYSQL_DATABASE: ghost
      MYSQL_USER: ghost
      MYSQL_PASSWORD: "{{ secret.db_password }}"
      MYSQL_ROOT_PASSWORD: "{{ secret.db_root_password }}"
    volumes:
      - db_data:/var/lib/mysql
volumes:
  content: {}
  db_data: {}
`,
  parameters: [],
  secrets: [
    { name: "db_password", length: 32, alphabet: "alphanumeric", description: "Ghost's database password" },
    { name: "db_root_password", length: 32, alphabet: "alphanumeric", description: "MySQL root password" },
  ],
  volumes: [
    {
      name: "content",
      service: "ghost",
      path: "/var/lib/ghost/content",
      purpose: "Images, themes and settings",
    },
    { name: "db_data", service: "db", path: "/var/lib/mysql", purpose: "MySQL data" },
  ],
  ports: [
    { name: "http", service: "ghost", containerPort: 2368, protocol: "tcp", http: true, description: "Web" },
  ],
  minResources: { cores: 1, memoryMiB: 1024, diskGiB: 8 },
  // Ghost redirects to its https URL when the request did not come through a TLS proxy.
  healthCheck: { type: "http", port: "http", path: "/", expectedStatus: [200, 301], timeoutSeconds: 300 },
  notes: "Open /ghost on the app's URL to create the owner account.",
};
