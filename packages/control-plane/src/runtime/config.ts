import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

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
  PYLON_DATA_DIR: z.string().optional(),
  PYLON_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  PYLON_SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  PYLON_ADMIN_EMAIL: z.email("must be an email address").optional(),
  PYLON_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  PYLON_ADMIN_NAME: z.string().min(1).max(100).default("Admin"),
  PYLON_TRUST_PROXY: bool.default(false),
  PYLON_LOG_REQUESTS: bool.default(true),
  PYLON_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(525_600).default(720),
  PYLON_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(8760).default(168),
  PYLON_UI_DIR: z.string().optional(),
  PYLON_MIGRATIONS_DIR: z.string().optional(),
  PYLON_AGENT_DIR: z.string().optional(),
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
});

export type Config = z.infer<typeof configSchema>;

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
