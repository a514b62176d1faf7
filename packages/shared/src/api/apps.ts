import { z } from "zod";
import { plannedHostKeySchema } from "../protocol/app-jobs.ts";
import { GUEST_TYPES } from "../protocol/guests.ts";
import { APP_STATUSES } from "../values.ts";
import { idSchema, timestampSchema } from "./common.ts";
import { dnsNameSchema } from "./nodes.ts";
import { buildPlanSchema, PLAN_SOURCES, planSettingsSchema } from "./plan.ts";

export { APP_STATUSES, type AppStatus } from "../values.ts";

/** Environment variable names as shells and compose accept them. */
export const envNameSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
    "must be letters, digits and underscores, not starting with a digit",
  );

export const envMapSchema = z
  .record(envNameSchema, z.string().max(32_768))
  .refine((m) => Object.keys(m).length <= 200, "at most 200 variables");

/**
 * Git URLs Pylon clones: https (public or with a token in a secret, never in the URL shown back)
 * or SSH with a deploy key. Anything that git would treat as an option or a local/transport
 * helper path (`-…`, `file://`, `ext::`) is refused.
 */
export const gitUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine(
    (u) =>
      /^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~/-]+$/.test(u) ||
      /^ssh:\/\/[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~/-]+$/.test(u) ||
      /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+$/.test(u),
    "must be an https:// URL, an ssh:// URL or user@host:path (with a deploy key)",
  );

/** An SSH host key fingerprint as `ssh-keygen -lf` and Git hosts print it: SHA256:<43 base64 chars>. */
export const sshHostKeyFingerprintSchema = z
  .string()
  .trim()
  .regex(
    /^SHA256:[A-Za-z0-9+/]{43}$/,
    "must be an SSH host key fingerprint like SHA256:… (43 characters after SHA256:)",
  );

/** Branch, tag or commit: what `git check-ref-format` allows, minus anything that looks like an option. */
export const gitRefSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(
    /^(?!-)(?!.*\.\.)(?!.*@\{)(?!.*\/\/)(?!\/)[A-Za-z0-9._/+-]+(?<![./])$/,
    "must be a branch, tag or commit name",
  );

export const subdirectorySchema = z
  .string()
  .trim()
  .max(500)
  .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+$/, "must be a relative path inside the repository");

export const appSourceInputSchema = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("catalog"),
      catalogId: z.string().min(1).max(63),
      parameters: z
        .record(z.string(), z.union([z.string().max(10_000), z.number(), z.boolean()]))
        .default({}),
    })
    .strict(),
  z
    .object({
      type: z.literal("git"),
      url: gitUrlSchema,
      ref: gitRefSchema.default("main"),
      subdirectory: subdirectorySchema.optional(),
      buildMode: z
        .enum(["auto", ...PLAN_SOURCES])
        .default("auto")
        .meta({ description: "auto (detected), or build from generated, dockerfile or compose" }),
      plan: planSettingsSchema
        .optional()
        .meta({ description: "Changes to the plan: commands, runtime versions, the compose web service" }),
      commit: z
        .string()
        .regex(/^[0-9a-f]{40}$/, "must be a full commit id")
        .optional()
        .meta({
          description: "The commit the plan was reviewed at (POST /apps/plan); the first deploy builds it",
        }),
      port: z
        .number()
        .int()
        .min(1)
        .max(65_535)
        .optional()
        .meta({ description: "Port the app listens on (else detected)" }),
      deployKey: z
        .string()
        .min(1)
        .max(20_000)
        .optional()
        .meta({ description: "SSH private key for ssh URLs; never shown again" }),
      hostKey: sshHostKeyFingerprintSchema.optional().meta({
        description:
          "For ssh URLs: the Git host's SSH host key fingerprint to require. Without it the key seen on the first deploy is trusted, shown on the app, and required from then on",
      }),
    })
    .strict(),
]);
export type AppSourceInput = z.infer<typeof appSourceInputSchema>;

export const appTargetInputSchema = z
  .object({
    nodeId: idSchema,
    type: z
      .enum([...GUEST_TYPES, "vm"])
      .default("lxc")
      .meta({ description: "lxc (a container) or vm (a QEMU VM; `qemu` is accepted too)" }),
    cores: z.number().int().min(1).max(64).optional(),
    memoryMb: z.number().int().min(256).max(262_144).optional(),
    diskGb: z.number().int().min(2).max(4096).optional(),
    storage: z
      .string()
      .regex(/^[a-z][a-z0-9_.-]{0,63}$/i, "must be a Proxmox storage id")
      .default("local-lvm"),
    bridge: z
      .string()
      .regex(/^vmbr\d{1,4}$/, "must be a Linux bridge like vmbr0")
      .default("vmbr0"),
  })
  .strict();

export const fqdnSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    "must be a host name like app.example.com",
  );

export const createAppBodySchema = z
  .object({
    name: dnsNameSchema,
    source: appSourceInputSchema,
    target: appTargetInputSchema,
    domain: fqdnSchema
      .optional()
      .meta({ description: "Host name to serve the app at (default: <name>.<apps domain>)" }),
    env: envMapSchema.default({}),
    secrets: envMapSchema
      .default({})
      .meta({ description: "Like env, but stored encrypted and never shown again" }),
  })
  .strict()
  .meta({ id: "CreateApp" });
export type CreateAppBody = z.infer<typeof createAppBodySchema>;

/** The latest sample of an app's guest, shown with the app. */
export const appLatestMetricsSchema = z
  .object({
    at: timestampSchema,
    cpu: z.number().meta({ description: "CPU load, 0..1 of the guest's cores" }),
    memUsed: z.number(),
    memTotal: z.number(),
  })
  .meta({ id: "AppLatestMetrics" });

/** A catalog app's versions: what runs against what the catalog offers (shared by the list and the check). */
export const appUpdateSchema = z
  .object({
    current: z.string().meta({ description: "The catalog version the app runs" }),
    available: z
      .string()
      .nullable()
      .meta({ description: "A newer catalog version found by the last check (null: up to date)" }),
    checkedAt: timestampSchema
      .nullable()
      .meta({ description: "When the last update check ran (null: never)" }),
  })
  .meta({ id: "AppUpdate" });
export type AppUpdate = z.infer<typeof appUpdateSchema>;

export const appSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    status: z.enum(APP_STATUSES),
    url: z.string().nullable(),
    nodeId: idSchema,
    guest: z.object({
      type: z.enum(GUEST_TYPES),
      vmid: z.number().int().nullable(),
      address: z.string().nullable(),
    }),
    resources: z.object({
      cores: z.number().int(),
      memoryMb: z.number().int(),
      diskGb: z.number().int(),
      storage: z.string(),
    }),
    source: z.discriminatedUnion("type", [
      z.object({
        type: z.literal("catalog"),
        catalogId: z.string(),
        name: z.string().meta({ description: "The catalog entry's display name, e.g. Uptime Kuma" }),
        version: z.string(),
        parameters: z.record(z.string(), z.unknown()),
      }),
      z.object({
        type: z.literal("git"),
        url: z.string(),
        ref: z.string(),
        subdirectory: z.string().nullable(),
        buildMode: z.string(),
        port: z.number().int().nullable().optional(),
        plan: planSettingsSchema.nullable().optional(),
        hasDeployKey: z.boolean(),
        hostKey: z
          .object({
            fingerprint: z.string(),
            keyType: z.string().nullable().meta({ description: "e.g. ssh-ed25519; null until first seen" }),
            pinned: z
              .boolean()
              .meta({ description: "Set by the user (at deploy or later), not trusted on first use" }),
          })
          .nullable()
          .meta({ description: "The SSH host key deploys require (ssh URLs), once known" }),
      }),
    ]),
    domain: z.string(),
    env: z.record(z.string(), z.string()),
    secretNames: z.array(z.string()),
    ports: z.array(z.object({ name: z.string(), port: z.number().int() })),
    commit: z.string().nullable(),
    lastJobId: z.string().nullable(),
    lastError: z.string().nullable(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    update: appUpdateSchema.nullable().optional().meta({
      description:
        "Catalog apps: the deployed version against the catalog's current one, from the last update check (null: Git app)",
    }),
    snapshots: z.boolean().nullable().optional().meta({
      description:
        "Whether the guest's storage can take snapshots (null: not known yet); without them a failed redeploy cannot be rolled back and going back means restoring a backup",
    }),
    metrics: appLatestMetricsSchema.nullable().optional().meta({
      description: "The guest's latest sample (one a minute at most); null before the first",
    }),
  })
  .meta({ id: "App" });
export type App = z.infer<typeof appSchema>;

export const appListSchema = z.object({ items: z.array(appSchema) }).meta({ id: "AppList" });

export const appMetricsPointSchema = z.object({
  at: timestampSchema,
  cpu: z.number().meta({ description: "CPU load, 0..1 of the guest's cores" }),
  memUsed: z.number(),
  memTotal: z.number(),
  diskUsed: z.number(),
  diskTotal: z.number(),
  netIn: z.number().meta({ description: "Bytes received since the guest started (Proxmox's counter)" }),
  netOut: z.number().meta({ description: "Bytes sent since the guest started (Proxmox's counter)" }),
});
export type AppMetricsPoint = z.infer<typeof appMetricsPointSchema>;
export const appMetricsSeriesSchema = z
  .object({ items: z.array(appMetricsPointSchema) })
  .meta({ id: "AppMetricsSeries" });

/** The source fields of a Git deploy, planned before anything is created (POST /apps/plan). */
export const planAppBodySchema = z
  .object({
    nodeId: idSchema.meta({ description: "The node whose agent fetches and plans the repository" }),
    source: appSourceInputSchema.options[1].omit({ commit: true }),
  })
  .strict()
  .meta({ id: "PlanApp" });
export type PlanAppBody = z.infer<typeof planAppBodySchema>;

export const planAppResultSchema = z
  .object({
    commit: z
      .string()
      .meta({ description: "The commit planned; pass it as source.commit to deploy exactly this" }),
    ref: z.string(),
    plan: buildPlanSchema,
    hostKey: plannedHostKeySchema.optional().meta({
      description:
        "ssh URLs: the Git host's SSH key the fetch trusted (firstUse: not pinned; compare it with what the host publishes and pin it as source.hostKey)",
    }),
  })
  .meta({ id: "PlanAppResult" });
export type PlanAppResult = z.infer<typeof planAppResultSchema>;
