import { z } from "zod";
import { eventFrame, GUEST_TYPES, JOB_KINDS, JOB_STATUSES, POWER_ACTIONS } from "../protocol/index.ts";
import { idSchema, pageOf, pageQuerySchema, timestampSchema } from "./common.ts";
import { ROLES, SCOPES } from "./roles.ts";

export { VIEW_JOB_KINDS } from "../values.ts";

export const jobSchema = z
  .object({
    id: idSchema,
    nodeId: idSchema,
    kind: z.enum(JOB_KINDS),
    params: z.unknown(),
    status: z.enum(JOB_STATUSES),
    attempts: z.number().int(),
    requestedBy: z.string().nullable(),
    cancelRequested: z.boolean(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    startedAt: timestampSchema.nullable(),
    finishedAt: timestampSchema.nullable(),
    result: z.unknown().nullable(),
    error: z.string().nullable(),
    outputAccess: z
      .object({ role: z.enum(ROLES), scope: z.enum(SCOPES) })
      .nullable()
      .meta({
        description:
          "What reading this job's output (result, error, events) needs: the access of the route that started it, for routes that read something private (logs, diagnostics); null when reading jobs is enough",
      }),
    outputHidden: z.boolean().meta({
      description:
        "True when the caller lacks `outputAccess`: result and error are withheld and events refused",
    }),
  })
  .meta({ id: "Job" });
export type Job = z.infer<typeof jobSchema>;

export const jobEventSchema = z
  .object({ seq: z.number().int(), at: timestampSchema, event: eventFrame.shape.event })
  .meta({ id: "JobEvent" });
export type JobEvent = z.infer<typeof jobEventSchema>;

export const jobQuerySchema = pageQuerySchema.extend({
  node: idSchema.optional(),
  status: z.enum(JOB_STATUSES).optional(),
  kind: z.enum(JOB_KINDS).optional(),
  app: idSchema.optional().meta({ description: "Only the jobs of this app" }),
  views: z.enum(["true", "false"]).default("false").meta({
    description:
      "Include log views and diagnostics (app.logs, app.diagnostics jobs; hidden by default, kept a day). Asking for one of those kinds includes them too",
  }),
});
export const jobPageSchema = pageOf(jobSchema).meta({ id: "JobPage" });

export const jobEventsQuerySchema = z.object({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .meta({ description: "Return events with seq greater than this" }),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export const jobEventsPageSchema = z
  .object({ items: z.array(jobEventSchema), nextAfter: z.number().int(), done: z.boolean() })
  .meta({ id: "JobEventsPage" });

export const powerBodySchema = z
  .object({ type: z.enum(GUEST_TYPES), action: z.enum(POWER_ACTIONS) })
  .strict()
  .meta({ id: "GuestPower" });
