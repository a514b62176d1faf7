import { z } from "zod";
import { inventorySchema, nodeMetricsSchema } from "../protocol/jobs.ts";
import { idSchema, timestampSchema } from "./common.ts";

/** DNS-label-safe names: what Proxmox and hostnames accept. */
export const dnsNameSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(63, "must be at most 63 characters")
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    "must be lower-case letters, digits and inner hyphens (a DNS label)",
  );

export const NODE_STATES = ["pending", "online", "offline", "revoked"] as const;

export const nodeSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    simulated: z
      .boolean()
      .meta({ description: "True for the built-in Proxmox simulator (demo), not a real host" }),
    status: z.enum(NODE_STATES),
    agentVersion: z.string().nullable(),
    pveVersion: z.string().nullable(),
    hostName: z.string().nullable(),
    createdAt: timestampSchema,
    enrolledAt: timestampSchema.nullable(),
    connectedAt: timestampSchema.nullable(),
    lastSeenAt: timestampSchema.nullable(),
    metrics: nodeMetricsSchema.nullable(),
    guestCount: z.number().int().nullable(),
  })
  .meta({ id: "Node" });
export type Node = z.infer<typeof nodeSchema>;

export const nodeDetailSchema = nodeSchema
  .extend({
    inventory: inventorySchema.nullable(),
    inventoryAt: timestampSchema.nullable(),
    backupStorage: z
      .string()
      .nullable()
      .optional()
      .meta({ description: "Where apps on this node back up unless they name a storage" }),
  })
  .meta({ id: "NodeDetail" });

export const createNodeBodySchema = z
  .object({
    name: dnsNameSchema,
    simulated: z.boolean().optional().meta({
      description:
        "Marks a node backed by Pylon's Proxmox simulator (pnpm demo), shown as simulated everywhere",
    }),
  })
  .strict()
  .meta({ id: "CreateNode" });

export const enrollmentSchema = z
  .object({
    token: z.string().meta({ description: "One-time enrollment token; shown once" }),
    expiresAt: timestampSchema,
    installCommand: z.string().meta({ description: "Run as root on the Proxmox host" }),
  })
  .meta({ id: "Enrollment" });

export const createdNodeSchema = z
  .object({ node: nodeSchema, enrollment: enrollmentSchema })
  .meta({ id: "CreatedNode" });

export const nodeListSchema = z.object({ items: z.array(nodeSchema) }).meta({ id: "NodeList" });

export const nodeMetricsPointSchema = z.object({
  at: timestampSchema,
  cpu: z.number(),
  memUsed: z.number(),
  memTotal: z.number(),
  diskUsed: z.number(),
  diskTotal: z.number(),
});
export const nodeMetricsSeriesSchema = z
  .object({ items: z.array(nodeMetricsPointSchema) })
  .meta({ id: "NodeMetricsSeries" });

/** What the agent sends to exchange an enrollment token for its credential. */
export const enrollBodySchema = z
  .object({
    token: z.string().min(1).max(200),
    agentVersion: z.string().min(1).max(50),
    nodeName: z.string().min(1).max(100),
    pveVersion: z.string().max(100).nullable(),
  })
  .strict()
  .meta({ id: "AgentEnroll" });

export const enrolledSchema = z
  .object({ nodeId: idSchema, credential: z.string(), credentialId: z.string() })
  .meta({ id: "AgentEnrolled" });
