import { z } from "zod";
import { buildPlanSchema, planSettingsSchema } from "../api/plan.ts";
import { DIAGNOSTICS } from "../values.ts";
import { GUEST_TYPES, vmidSchema } from "./guests.ts";

/** Where and how big a guest for an app is. */
export const guestSpecSchema = z.object({
  type: z.enum(GUEST_TYPES),
  cores: z.number().int().min(1).max(64),
  memoryMb: z.number().int().min(256).max(262_144),
  diskGb: z.number().int().min(2).max(4096),
  storage: z.string().min(1).max(64),
  bridge: z.string().min(1).max(32),
});
export type GuestSpec = z.infer<typeof guestSpecSchema>;

/** What the agent runs in the guest: a ready compose file (catalog) or a repository to build. */
export const deploySourceSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("compose"), compose: z.string().max(200_000) }),
  z.object({
    type: z.literal("git"),
    url: z.string().max(2000),
    ref: z.string().max(255),
    subdirectory: z.string().max(500).optional(),
    /** Where the build comes from: auto (detected), or the one the user chose. */
    buildMode: z.enum(["auto", "generated", "dockerfile", "compose"]),
    /** The port the app listens on inside its container, when known (else detected). */
    containerPort: z.number().int().min(1).max(65_535).optional(),
    /** ssh URLs: the SHA256 fingerprint the Git host's key must have (else trusted on first use). */
    hostKey: z.string().max(100).optional(),
    /** The commit the user reviewed the plan at (first deploy); else the ref's head is used. */
    commit: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .optional(),
    /** The user's changes to the plan (commands, versions, compose service). */
    plan: planSettingsSchema.optional(),
  }),
]);
export type DeploySource = z.infer<typeof deploySourceSchema>;

export const httpCheckSchema = z.object({
  /** Port published on the guest's address (from the node's port registry). */
  port: z.number().int().min(1).max(65_535),
  path: z.string().max(500),
  expectStatus: z.array(z.number().int()).max(20).optional(),
  timeoutSeconds: z.number().int().min(1).max(3600),
});

/** A route id: a DNS label, as the agent names the route in Caddy (`@id`). */
export const routeIdSchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    "must be a DNS label (lowercase letters, digits, inner hyphens)",
  );

export const routeSpecSchema = z.object({
  /** Stable id of the route (from the app id), for idempotent upsert and removal. */
  id: routeIdSchema,
  host: z.string().max(253),
  tls: z.enum(["internal", "acme"]),
});

/**
 * app.deploy: create the guest and run the app, redeploy into the existing guest, or clone
 * another app's guest (its disk: files and volumes) into a new one and run the app there.
 */
export const appDeployParamsSchema = z
  .object({
    appId: z.string().max(64),
    name: z.string().max(63),
    mode: z.enum(["create", "redeploy", "clone", "restore"]),
    vmid: vmidSchema.optional().meta({ description: "The app's guest (redeploy)" }),
    cloneFrom: vmidSchema.optional().meta({ description: "The guest cloned (clone)" }),
    /** restore: the backup the new guest is made from (its own VMID; the app then runs in it). */
    restoreFrom: z
      .object({
        storage: z.string().max(64),
        volid: z.string().max(500),
      })
      .optional(),
    /** restore in place: the app's current guest, destroyed once the restored one serves the route. */
    replaces: vmidSchema.optional(),
    /** Keep at most this many of the app's own (`pylon_…`) snapshots; older ones are deleted. */
    keepSnapshots: z.number().int().min(1).max(100).optional(),
    /** Catalog apps: the catalog version this deploy runs (recorded on the app when it succeeds). */
    catalogVersion: z.string().max(100).optional(),
    /**
     * An update (redeploy to a newer catalog version): a snapshot is required first (the step fails
     * on storage without snapshots), and a failed health check rolls back to it.
     */
    update: z
      .object({ from: z.string().max(100), to: z.string().max(100) })
      .strict()
      .optional(),
    guest: guestSpecSchema,
    source: deploySourceSchema,
    env: z.record(z.string(), z.string()),
    http: httpCheckSchema,
    route: routeSpecSchema.nullable(),
    /** Wire only (never stored in clear): the app's secret variables, merged in from the sealed part. */
    secrets: z.record(z.string(), z.string()).optional(),
    /** Wire only: SSH private key for cloning an ssh:// repository. */
    deployKey: z.string().max(20_000).optional(),
    /** Wire only: other secret values (generated passwords in the compose) to mask in logs. */
    mask: z.array(z.string().max(10_000)).max(200).optional(),
  })
  .strict();
export type AppDeployParams = z.infer<typeof appDeployParamsSchema>;

/**
 * The sealed part of a deploy (app secrets, a Git deploy key, a rendered catalog compose that
 * carries generated passwords). Stored encrypted beside the job (`jobs.secret_params_box`) and
 * merged into the params only in the offer to the agent: `secrets`, `deployKey` at the top,
 * `compose` into `source`.
 */
export const appDeploySecretsSchema = z.object({
  secrets: z.record(z.string(), z.string()).default({}),
  deployKey: z.string().max(20_000).optional(),
  compose: z.string().max(200_000).optional(),
  mask: z.array(z.string().max(10_000)).max(200).optional(),
});
export type AppDeploySecrets = z.infer<typeof appDeploySecretsSchema>;

export const appDeployResultSchema = z.object({
  vmid: vmidSchema,
  address: z.string(),
  commit: z.string().nullable(),
  snapshot: z.string().nullable(),
  rolledBack: z.boolean().optional(),
  /** ssh Git sources: the host key the clone trusted (pinned, or seen on first use). */
  hostKey: z.object({ fingerprint: z.string().max(100), keyType: z.string().max(100) }).optional(),
  /** Whether the guest's storage can take snapshots (false: rollback needs a backup). */
  snapshots: z.boolean().optional(),
  /** restore in place: the old guest, destroyed (null when it could not be; see the job log). */
  retired: vmidSchema.nullable().optional(),
});
export type AppDeployResult = z.infer<typeof appDeployResultSchema>;

/**
 * app.plan: fetch a repository on the agent's host (shallow, at the ref, with submodules) and
 * return how it would be built, before anything is created. The deploy key (wire only) is
 * sealed like a deploy's.
 */
export const appPlanParamsSchema = z
  .object({
    url: z.string().max(2000),
    ref: z.string().max(255),
    subdirectory: z.string().max(500).optional(),
    buildMode: z.enum(["auto", "generated", "dockerfile", "compose"]),
    port: z.number().int().min(1).max(65_535).optional(),
    plan: planSettingsSchema.optional(),
    deployKey: z.string().max(20_000).optional(),
    /** ssh URLs: the SHA256 fingerprint the Git host's key must have (else trusted on first use). */
    hostKey: z.string().max(100).optional(),
  })
  .strict();
export type AppPlanParams = z.infer<typeof appPlanParamsSchema>;

/** The Git host's SSH key a plan's fetch trusted (ssh URLs): pinned, or seen on first use. */
export const plannedHostKeySchema = z.object({
  fingerprint: z.string().max(100),
  keyType: z.string().max(100),
  firstUse: z.boolean(),
});

export const appPlanResultSchema = z.object({
  commit: z.string(),
  plan: buildPlanSchema,
  hostKey: plannedHostKeySchema.optional(),
});
export type AppPlanResult = z.infer<typeof appPlanResultSchema>;

export const APP_ACTIONS = ["start", "stop", "restart"] as const;

export const appActionParamsSchema = z
  .object({
    appId: z.string().max(64),
    vmid: vmidSchema,
    type: z.enum(GUEST_TYPES),
    action: z.enum(APP_ACTIONS),
  })
  .strict();

export const appDeleteParamsSchema = z
  .object({
    appId: z.string().max(64),
    vmid: vmidSchema.nullable(),
    type: z.enum(GUEST_TYPES),
    routeId: routeIdSchema.nullable(),
    keepBackups: z.boolean(),
    /**
     * The app's backups Pylon knows of (any guest it had: a restore in place changes the VMID),
     * deleted with the guest's own unless keepBackups.
     */
    backups: z
      .array(z.object({ storage: z.string().max(64), volid: z.string().max(500) }))
      .max(10_000)
      .optional(),
  })
  .strict();

export const appResizeParamsSchema = z
  .object({
    appId: z.string().max(64),
    vmid: vmidSchema,
    type: z.enum(GUEST_TYPES),
    cores: z.number().int().min(1).max(64).optional(),
    memoryMb: z.number().int().min(256).max(262_144).optional(),
    diskGb: z.number().int().min(2).max(4096).optional().meta({ description: "New total size; grow only" }),
  })
  .strict();

export { DIAGNOSTICS, type DiagnosticName } from "../values.ts";

export const appDiagnosticsParamsSchema = z
  .object({
    appId: z.string().max(64),
    vmid: vmidSchema,
    type: z.enum(GUEST_TYPES),
    name: z.enum(DIAGNOSTICS),
    tail: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();

/** Most lines an `app.logs` job reads back from before now. */
export const MAX_LOG_TAIL = 10_000;

/**
 * app.logs: the app's container logs (`docker compose logs` / `docker logs`, fixed argv). Without
 * `follow` the job returns the last `tail` lines; with it the job streams the tail and then new
 * lines as `log` events (batched, newline-separated) until cancelled, for at most an hour.
 */
export const appLogsParamsSchema = z
  .object({
    appId: z.string().max(64),
    vmid: vmidSchema,
    type: z.enum(GUEST_TYPES),
    follow: z.boolean(),
    tail: z.number().int().min(0).max(MAX_LOG_TAIL),
  })
  .strict();

/** What a finished app.logs job returns. */
export const appLogsResultSchema = z.object({
  lines: z.array(z.string()),
  /**
   * Why a followed stream ended: the command exited, the time limit was reached, or the reader
   * closed it (not a failure: the job succeeds; agents before `closed` end such a job cancelled).
   */
  ended: z.enum(["exited", "time_limit", "closed"]).optional(),
  /** Lines dropped because the app wrote faster than the rate limit (follow only). */
  dropped: z.number().int().min(0).optional(),
});
export type AppLogsResult = z.infer<typeof appLogsResultSchema>;
