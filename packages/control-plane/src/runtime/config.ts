import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const days = z.coerce
  .number({ error: "must be a number of days from 1 to 36500" })
  .int("must be a number of days from 1 to 36500")
  .min(1, "must be a number of days from 1 to 36500")
  .max(36_500, "must be a number of days from 1 to 36500");

/** `false` (0), `true` (1) or how many reverse proxies of yours a request passes (at most 10). */
const proxyHops = z
  .string()
  .regex(/^(true|false|[0-9]|10)$/, "must be true, false or the number of your proxies in front (0-10)")
  .transform((v) => (v === "true" ? 1 : v === "false" ? 0 : Number(v)));

/** Every setting Pylon reads from the environment (PYLON_*), with defaults. */
export const configSchema = z.object({
  PYLON_PORT: z.coerce
    .number({ error: "must be a port number (0-65535)" })
    .int("must be a port number (0-65535)")
    .min(0, "must be a port number (0-65535)")
    .max(65535, "must be a port number (0-65535)")
    .default(8787),
  PYLON_HOST: z.string().min(1).default("127.0.0.1"),
  PYLON_DATABASE_URL: z
    .string()
    .regex(
      /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/,
      "must start with file:, libsql://, http(s):// or ws(s)://",
    )
    .default("file:./data/pylon.db"),
  PYLON_DATABASE_AUTH_TOKEN: z.string().optional(),
  PYLON_DATABASE_BUSY_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  PYLON_DATA_DIR: z.string().optional(),
  PYLON_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  PYLON_SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  PYLON_ADMIN_EMAIL: z.email("must be an email address").optional(),
  PYLON_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  PYLON_ADMIN_NAME: z.string().min(1).max(100).default("Admin"),
  PYLON_TRUST_PROXY: proxyHops.default(0),
  PYLON_LOG_REQUESTS: bool.default(true),
  PYLON_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(525_600).default(720),
  PYLON_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(8760).default(168),
  PYLON_UI_DIR: z.string().optional(),
  PYLON_MIGRATIONS_DIR: z.string().optional(),
  PYLON_AGENT_DIR: z.string().optional(),
  PYLON_CATALOG_FILE: z.string().optional(),
  PYLON_APPS_DOMAIN: z
    .string()
    .regex(
      /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
      "must be a domain like apps.example.com",
    )
    .default("pylon.internal"),
  PYLON_APPS_HTTPS_PORT: z.coerce.number().int().min(1).max(65535).default(443),
  PYLON_APP_SNAPSHOTS_KEEP: z.coerce.number().int().min(1).max(100).default(3),
  PYLON_AGENT_HEARTBEAT_MS: z.coerce.number().int().min(200).max(300_000).default(15_000),
  PYLON_AGENT_MAX_JOBS: z.coerce.number().int().min(1).max(100).default(4),
  PYLON_JOB_OUTPUT_MAX_MB: z.coerce.number().int().min(1).max(1024).default(16),
  PYLON_AUDIT_RETENTION_DAYS: days.default(180),
  PYLON_JOB_RETENTION_DAYS: days.default(90),
  PYLON_JOB_KEEP_DEPLOYS: z.coerce
    .number({ error: "must be a whole number from 1 to 1000" })
    .int("must be a whole number from 1 to 1000")
    .min(1, "must be a whole number from 1 to 1000")
    .max(1000, "must be a whole number from 1 to 1000")
    .default(10),
});

/** The retention settings as the app takes them. */
export function retentionOf(config: Config) {
  return {
    auditDays: config.PYLON_AUDIT_RETENTION_DAYS,
    jobDays: config.PYLON_JOB_RETENTION_DAYS,
    keepDeploys: config.PYLON_JOB_KEEP_DEPLOYS,
  };
}

export type Config = z.infer<typeof configSchema>;

/**
 * What the Node server needs beyond `parseConfig`: with a libSQL server as the database, the
 * processes serving it share no data directory, so each must be given the same secret key (a key
 * generated per process would make one process's sessions and sealed secrets unreadable to the
 * others).
 */
export function nodeServerErrors(config: Config): string[] {
  if (config.PYLON_DATABASE_URL.startsWith("file:") || config.PYLON_SECRET_KEY) return [];
  return [
    "PYLON_SECRET_KEY: must be set when PYLON_DATABASE_URL is a libSQL server (every process serving that database needs the same key)",
  ];
}

/** Parses the environment; on error returns one line per bad variable, naming it. */
export function parseConfig(
  env: Record<string, string | undefined>,
): { config: Config } | { errors: string[] } {
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith("PYLON_") && v !== ""),
  );
  const result = configSchema.safeParse(relevant);
  const errors = result.success
    ? []
    : result.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`);
  if (!relevant.PYLON_ADMIN_EMAIL !== !relevant.PYLON_ADMIN_PASSWORD) {
    errors.push("PYLON_ADMIN_EMAIL and PYLON_ADMIN_PASSWORD: set both or neither");
  }
  if (result.success && errors.length === 0) return { config: result.data };
  return { errors };
}
