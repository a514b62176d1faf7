import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** nginx serving static files from a named volume. */
export const nginx: CatalogEntry = {
  id: "nginx",
  name: "nginx",
  description: "A fast web server for static sites; put your files in the html volume.",
  category: "web",
  tags: ["web-server", "static"],
  website: "https://nginx.org/",
  icon: monogramIcon("#009639", "N"),
  version: "1.27.3",
  compose: `
services:
  web:
    image: nginx:1.27.3-alpine
    restart: unless-stopped
    ports:
      - "{{ port.http }}:80"
    volumes:
      - html:/usr/share/nginx/html
volumes:
  html: {}
`,
  parameters: [],
  secrets: [],
  volumes: [{ name: "html", service: "web", path: "/usr/share/nginx/html", purpose: "The site's files" }],
  ports: [
    { name: "http", service: "web", containerPort: 80, protocol: "tcp", http: true, description: "Web" },
  ],
  minResources: { cores: 1, memoryMiB: 256, diskGiB: 2 },
  healthCheck: { type: "http", port: "http", path: "/", expectedStatus: [200] },
  notes: "The html volume starts with nginx's welcome page; replace its contents with your site.",
};
