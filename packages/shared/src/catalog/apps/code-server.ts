import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** code-server: VS Code in the browser. */
export const codeServer: CatalogEntry = {
  id: "code-server",
  name: "code-server",
  description: "VS Code in the browser, on your own machine.",
  category: "development",
  tags: ["ide", "vscode", "editor"],
  website: "https://coder.com/docs/code-server",
  icon: monogramIcon("#1f6feb", "</>"),
  version: "4.96.2",
  compose: `
services:
  code:
    image: codercom/code-server:4.96.2
    restart: unless-stopped
    ports:
      - "{{ port.http }}:8080"
    environment:
      PASSWORD: "{{ secret.password }}"
      TZ: "{{ param.timezone }}"
    volumes:
      - home:/home/coder
volumes:
  home: {}
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
  secrets: [{ name: "password", length: 24, alphabet: "alphanumeric", description: "Login password" }],
  volumes: [
    {
      name: "home",
      service: "code",
      path: "/home/coder",
      purpose: "Home directory: projects, settings, extensions",
    },
  ],
  ports: [
    {
      name: "http",
      service: "code",
      containerPort: 8080,
      protocol: "tcp",
      http: true,
      description: "Web IDE",
    },
  ],
  minResources: { cores: 2, memoryMiB: 2048, diskGiB: 10 },
  healthCheck: { type: "http", port: "http", path: "/healthz", expectedStatus: [200] },
  notes: "Log in with the generated password. Anyone with it gets a shell in the guest; keep it safe.",
};
