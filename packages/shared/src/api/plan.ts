import { z } from "zod";

/** What a repository is built from: a Dockerfile Pylon generates, its own Dockerfile, or its compose file. */
export const PLAN_SOURCES = ["generated", "dockerfile", "compose"] as const;
export type PlanSourceKind = (typeof PLAN_SOURCES)[number];

/** Runtimes a generated Dockerfile can be based on. */
export const PLAN_RUNTIMES = ["node", "python", "go", "hugo", "static"] as const;

const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * A command the user sets for install, build or start. It becomes one Dockerfile line (`RUN …`,
 * `CMD ["sh","-c", …]`), so it is one line without control characters and without a trailing
 * backslash (which would continue onto the next instruction).
 */
export const planCommandSchema = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .refine((s) => !hasControl(s), "must be one line without control characters")
  .refine((s) => !s.endsWith("\\"), "must not end with a backslash");

/** A runtime version as users write it: `24`, `22.13`, `3.13`, `20.19.1`. */
export const runtimeVersionSchema = z
  .string()
  .trim()
  .regex(/^\d{1,3}(\.\d{1,4}){0,2}$/, "must be a version like 24, 22.13 or 3.12.8");

/** A compose service name as compose accepts it. */
export const composeServiceSchema = z
  .string()
  .trim()
  .max(63)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be a compose service name");

/** What the user may change in a reviewed plan, besides the source and the port. */
export const planSettingsSchema = z
  .object({
    installCommand: planCommandSchema.optional(),
    buildCommand: planCommandSchema.optional(),
    startCommand: planCommandSchema.optional(),
    nodeVersion: runtimeVersionSchema.optional(),
    pythonVersion: runtimeVersionSchema.optional(),
    goVersion: runtimeVersionSchema.optional(),
    composeService: composeServiceSchema
      .optional()
      .meta({ description: "The compose service that serves HTTP (else the one publishing a port)" }),
  })
  .strict()
  .meta({ id: "PlanSettings" });
export type PlanSettings = z.infer<typeof planSettingsSchema>;

/** Everything that changes a plan: settings plus the source to build from and the port. */
export const planOverridesSchema = planSettingsSchema.extend({
  source: z.enum(PLAN_SOURCES).optional(),
  port: z.number().int().min(1).max(65_535).optional(),
});
export type PlanOverrides = z.infer<typeof planOverridesSchema>;

export const planRuntimeSchema = z.object({
  name: z.enum(PLAN_RUNTIMES),
  version: z.string().meta({ description: "The version chosen, e.g. 24 or 3.13" }),
  from: z.string().meta({ description: "Where the version came from (a file, a default, the user)" }),
  image: z.string().meta({ description: "The base image the app runs on" }),
});
export type PlanRuntime = z.infer<typeof planRuntimeSchema>;

/**
 * How a repository will be built and run, and why; or, with `refused`, why it cannot be and
 * what was found. The same object comes from the agent's `plan <dir> --json` and the API.
 */
export const buildPlanSchema = z
  .object({
    refused: z
      .string()
      .nullable()
      .meta({ description: "Why the repository cannot be built, and what to do" }),
    source: z.enum(PLAN_SOURCES).nullable(),
    reason: z.string().meta({ description: "Why this source and framework" }),
    framework: z.string().nullable(),
    frameworkName: z.string().nullable(),
    runtime: planRuntimeSchema.nullable(),
    packageManager: z.string().nullable(),
    commands: z.object({
      install: z.string().nullable(),
      build: z.string().nullable(),
      start: z.string().nullable(),
    }),
    port: z
      .number()
      .int()
      .nullable()
      .meta({ description: "The port the app listens on (compose: the port the web service publishes)" }),
    file: z.string().nullable().meta({ description: "The repository's Dockerfile or compose file used" }),
    compose: z
      .object({
        service: z.string(),
        services: z.array(z.string()),
        publishedPort: z.number().int().nullable(),
        targetPort: z.number().int().nullable(),
      })
      .nullable(),
    dockerfile: z.string().nullable().meta({ description: "The generated Dockerfile" }),
    dockerignore: z.string().nullable(),
    env: z
      .record(z.string(), z.string())
      .meta({ description: "Variables Pylon sets at run time (your env overrides them)" }),
    warnings: z.array(z.string()),
    found: z.array(z.string()).meta({ description: "What the repository has, in words" }),
  })
  .meta({ id: "BuildPlan" });
export type BuildPlan = z.infer<typeof buildPlanSchema>;
