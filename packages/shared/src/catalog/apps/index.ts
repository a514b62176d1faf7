import type { CatalogEntry } from "../schema.ts";
import { actual } from "./actual.ts";
import { codeServer } from "./code-server.ts";
import { ghost } from "./ghost.ts";
import { gitea } from "./gitea.ts";
import { grafana } from "./grafana.ts";
import { homeAssistant } from "./home-assistant.ts";
import { jellyfin } from "./jellyfin.ts";
import { mealie } from "./mealie.ts";
import { miniflux } from "./miniflux.ts";
import { minio } from "./minio.ts";
import { n8n } from "./n8n.ts";
import { nextcloud } from "./nextcloud.ts";
import { nginx } from "./nginx.ts";
import { paperlessNgx } from "./paperless-ngx.ts";
import { postgresql } from "./postgresql.ts";
import { prometheus } from "./prometheus.ts";
import { redis } from "./redis.ts";
import { uptimeKuma } from "./uptime-kuma.ts";
import { vaultwarden } from "./vaultwarden.ts";
import { wordpress } from "./wordpress.ts";

/** Every app in the catalog, in display order. */
export const CATALOG_APPS: readonly CatalogEntry[] = [
  nginx,
  wordpress,
  ghost,
  gitea,
  uptimeKuma,
  vaultwarden,
  nextcloud,
  codeServer,
  grafana,
  prometheus,
  n8n,
  postgresql,
  redis,
  minio,
  jellyfin,
  homeAssistant,
  mealie,
  paperlessNgx,
  actual,
  miniflux,
];
