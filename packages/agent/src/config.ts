import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { errnoCode, errorMessage } from "./util/errors.ts";
import { parseStaticRange } from "./util/ip-range.ts";

/** Where the installer writes the config; `run` and `enroll` default to it. */
export const DEFAULT_CONFIG_PATH = "/etc/pylon/agent.json";

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL");

const port = z.number().int().min(1).max(65_535);

/** Where and how apps are deployed on this host (all optional; the defaults fit a stock node). */
const appsConfigSchema = z
  .object({
    /** Caddy's admin API, which the agent manages app routes through. */
    caddyAdminUrl: httpUrl.default("http://127.0.0.1:2019"),
    /** Ports Caddy serves apps on (HTTPS) and answers redirects/ACME challenges on (HTTP). */
    httpsPort: port.default(443),
    httpPort: port.default(80),
    /** Contact address given to the ACME CA for public names. */
    acmeEmail: z.string().email().optional(),
    /** The cloud-init QEMU template VMs are cloned from. */
    vmTemplateId: z.number().int().min(100).max(999_999_999).default(9000),
    /** cloud-init user of VMs; commands run through sudo when it is not root. */
    vmUser: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Linux user name")
      .default("pylon"),
    /** LXC template picked by this prefix in the template storage (downloaded if missing). */
    lxcTemplatePrefix: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/)
      .default("debian-12-standard"),
    lxcTemplateStorage: z
      .string()
      .regex(/^[a-z][a-z0-9_.-]*$/i)
      .default("local"),
    /** Where each app's files live inside its guest. */
    appsBase: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]+$/, "must be an absolute path")
      .default("/opt/pylon"),
    /** Ports tried for a VM's sshd, in order. */
    sshPorts: z.array(port).min(1).max(8).default([22]),
    /**
     * Static addresses for VMs, given through cloud-init (`10.0.0.100-10.0.0.199/24,gw=10.0.0.1`):
     * no DHCP, and no need for the guest agent to learn the address. Keep the range out of DHCP.
     */
    vmAddresses: z
      .string()
      .refine((t) => {
        try {
          parseStaticRange(t);
          return true;
        } catch {
          return false;
        }
      }, "must be like 10.0.0.100-10.0.0.199/24,gw=10.0.0.1")
      .optional(),
    /** The storage with `snippets` content, and its folder, for the VM template's cloud-init snippet. */
    snippetsStorage: z
      .string()
      .regex(/^[a-z][a-z0-9_.-]*$/i)
      .default("local"),
    snippetsDir: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]+$/, "must be an absolute path")
      .default("/var/lib/vz/snippets"),
    /** How long a fresh guest may take to get an address. */
    addressTimeoutSeconds: z.number().int().min(5).max(3600).default(120),
    /** `pct` (default: the one on PATH). */
    pctPath: z.string().min(1).optional(),
  })
  .strict()
  .prefault({});

/**
 * The config file the installer writes (no secrets in it: the credential and the PVE token
 * secret live in their own 0600 files). Relative file paths resolve against the config's own
 * directory, so the same file works under a test prefix and on the host.
 */
export const configFileSchema = z
  .object({
    controlPlaneUrl: httpUrl,
    /** PEM CA bundle the control plane's certificate must chain to (default: system roots). */
    caFile: z.string().min(1).optional(),
    credentialFile: z.string().min(1).default("credential.json"),
    stateDir: z.string().min(1).default("/var/lib/pylon-agent"),
    nodeName: z.string().min(1).max(100).optional(),
    maxConcurrentJobs: z.number().int().min(1).max(64).default(4),
    logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
    /** How long SIGTERM waits for running jobs before journaling them for the next start. */
    stopGraceMs: z.number().int().min(0).max(600_000).default(20_000),
    /** How often the agent checks its host (PVE version, its token's privileges). */
    hostCheckMs: z.number().int().min(200).max(86_400_000).default(60_000),
    /** How long an updated agent has to reconnect before the previous bundle runs again. */
    updateConfirmMs: z.number().int().min(1000).max(3_600_000).default(60_000),
    apps: appsConfigSchema,
    pve: z
      .object({
        url: httpUrl.default("https://127.0.0.1:8006"),
        tokenId: z.string().regex(/^[^@!\s]+@[^@!\s]+![A-Za-z0-9._-]+$/, "must look like user@realm!tokenid"),
        tokenSecretFile: z.string().min(1).default("pve-token"),
        /** The CA the API certificate chains to; "system" = the public roots (an ACME certificate). */
        caFile: z.string().min(1).default("/etc/pve/pve-root-ca.pem"),
        /** Pin the API certificate by its SHA-256 fingerprint instead (a custom certificate). */
        fingerprint: z
          .string()
          .regex(
            /^(sha256[:=])?([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
            "must be a SHA-256 fingerprint (AB:CD:…)",
          )
          .optional(),
        /** The name the certificate is issued for, when it is not the URL's host (127.0.0.1). */
        serverName: z.string().min(1).max(253).optional(),
      })
      .strict(),
  })
  .strict();

export type ConfigFile = z.input<typeof configFileSchema>;

/** The resolved agent config, paths absolute. */
export type AgentConfig = Omit<z.infer<typeof configFileSchema>, "nodeName"> & {
  nodeName: string;
  configPath: string;
};

/** Environment overrides: PYLON_AGENT_<NAME> → field path. */
const ENV: Record<string, { path: string[]; type: "string" | "int" | "ports" }> = {
  PYLON_AGENT_CONTROL_PLANE_URL: { path: ["controlPlaneUrl"], type: "string" },
  PYLON_AGENT_CA_FILE: { path: ["caFile"], type: "string" },
  PYLON_AGENT_CREDENTIAL_FILE: { path: ["credentialFile"], type: "string" },
  PYLON_AGENT_STATE_DIR: { path: ["stateDir"], type: "string" },
  PYLON_AGENT_NODE_NAME: { path: ["nodeName"], type: "string" },
  PYLON_AGENT_MAX_CONCURRENT_JOBS: { path: ["maxConcurrentJobs"], type: "int" },
  PYLON_AGENT_LOG_LEVEL: { path: ["logLevel"], type: "string" },
  PYLON_AGENT_STOP_GRACE_MS: { path: ["stopGraceMs"], type: "int" },
  PYLON_AGENT_HOST_CHECK_MS: { path: ["hostCheckMs"], type: "int" },
  PYLON_AGENT_UPDATE_CONFIRM_MS: { path: ["updateConfirmMs"], type: "int" },
  PYLON_AGENT_PVE_URL: { path: ["pve", "url"], type: "string" },
  PYLON_AGENT_PVE_TOKEN_ID: { path: ["pve", "tokenId"], type: "string" },
  PYLON_AGENT_PVE_TOKEN_SECRET_FILE: { path: ["pve", "tokenSecretFile"], type: "string" },
  PYLON_AGENT_PVE_CA_FILE: { path: ["pve", "caFile"], type: "string" },
  PYLON_AGENT_PVE_FINGERPRINT: { path: ["pve", "fingerprint"], type: "string" },
  PYLON_AGENT_PVE_SERVER_NAME: { path: ["pve", "serverName"], type: "string" },
  PYLON_AGENT_CADDY_ADMIN_URL: { path: ["apps", "caddyAdminUrl"], type: "string" },
  PYLON_AGENT_HTTPS_PORT: { path: ["apps", "httpsPort"], type: "int" },
  PYLON_AGENT_HTTP_PORT: { path: ["apps", "httpPort"], type: "int" },
  PYLON_AGENT_ACME_EMAIL: { path: ["apps", "acmeEmail"], type: "string" },
  PYLON_AGENT_VM_TEMPLATE_ID: { path: ["apps", "vmTemplateId"], type: "int" },
  PYLON_AGENT_VM_USER: { path: ["apps", "vmUser"], type: "string" },
  PYLON_AGENT_SSH_PORTS: { path: ["apps", "sshPorts"], type: "ports" },
  PYLON_AGENT_VM_ADDRESSES: { path: ["apps", "vmAddresses"], type: "string" },
  PYLON_AGENT_PCT_PATH: { path: ["apps", "pctPath"], type: "string" },
};

/** A config problem, with the field (or env variable) it is about. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function applyEnv(raw: Record<string, unknown>, env: Record<string, string | undefined>): void {
  for (const [name, { path, type }] of Object.entries(ENV)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    let parsed: string | number | number[] = value;
    if (type === "int") {
      if (!/^\d+$/.test(value)) throw new ConfigError(`${name}: must be a whole number, got "${value}"`);
      parsed = Number(value);
    } else if (type === "ports") {
      if (!/^\d+(,\d+)*$/.test(value))
        throw new ConfigError(`${name}: must be port numbers separated by commas, got "${value}"`);
      parsed = value.split(",").map(Number);
    }
    let target = raw;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      if (isRecord(next)) target = next;
      else {
        const created: Record<string, unknown> = {};
        target[key] = created;
        target = created;
      }
    }
    target[path[path.length - 1]!] = parsed;
  }
}

/** Validates raw config data (file content plus env) and resolves relative paths. */
export function parseConfig(
  raw: unknown,
  configPath: string,
  env: Record<string, string | undefined> = {},
): AgentConfig {
  if (!isRecord(raw)) throw new ConfigError(`${configPath}: must be a JSON object`);
  const data = structuredClone(raw);
  applyEnv(data, env);
  const result = configFileSchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues.map(
      (i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`,
    );
    throw new ConfigError(`${configPath}: ${issues.join("; ")}`);
  }
  const base = dirname(resolve(configPath));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const c = result.data;
  return {
    ...c,
    configPath: resolve(configPath),
    caFile: c.caFile === undefined ? undefined : abs(c.caFile),
    credentialFile: abs(c.credentialFile),
    stateDir: abs(c.stateDir),
    // PVE names a node after the short hostname (PVE::INotify::nodename).
    nodeName: c.nodeName ?? hostname().split(".")[0] ?? hostname(),
    apps: { ...c.apps, ...(c.apps.pctPath ? { pctPath: abs(c.apps.pctPath) } : {}) },
    pve: {
      ...c.pve,
      tokenSecretFile: abs(c.pve.tokenSecretFile),
      caFile: c.pve.caFile === "system" ? "system" : abs(c.pve.caFile),
    },
  };
}

/** Reads the config file and applies PYLON_AGENT_* overrides from `env`. */
export async function loadConfig(
  configPath: string,
  env: Record<string, string | undefined>,
): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(configPath, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config ${configPath}: ${errnoCode(err) ?? errorMessage(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`${configPath}: not valid JSON`);
  }
  return parseConfig(raw, configPath, env);
}
