import { z } from "zod";
import { pageOf, pageQuerySchema, timestampSchema } from "./common.ts";

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: timestampSchema,
    actorType: z.enum(["user", "token", "agent", "system", "anonymous"]),
    actorId: z.string().nullable(),
    actorName: z.string().nullable(),
    action: z.string(),
    target: z.string().nullable(),
    result: z.enum(["success", "failure"]),
    status: z.number().int(),
    requestId: z.string(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    count: z.number().int().meta({
      description: "Requests this entry stands for: repeated refusals within minutes are one entry",
    }),
    lastAt: timestampSchema.meta({ description: "The last of them (equal to `at` when count is 1)" }),
  })
  .meta({ id: "AuditEntry" });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditQuerySchema = pageQuerySchema.extend({
  actor: z.string().max(100).optional().meta({ description: "User or token id" }),
  action: z
    .string()
    .max(100)
    .optional()
    .meta({ description: "Exact action, or a prefix ending in '.' (e.g. 'users.')" }),
  target: z.string().max(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

export const auditPageSchema = pageOf(auditEntrySchema).meta({ id: "AuditPage" });
