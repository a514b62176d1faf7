import { z } from "zod";
import { hostCheckSchema } from "../protocol/frames.ts";
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

/** An agent's self-update as the node shows it. */
export const agentUpdateSchema = z
  .object({
    state: z.enum(["updating", "succeeded", "failed"]),
    from: z.string(),
    to: z.string(),
    startedAt: timestampSchema,
    finishedAt: timestampSchema.nullable(),
    message: z.string().nullable(),
  })
  .meta({ id: "AgentUpdate" });
export type AgentUpdate = z.infer<typeof agentUpdateSchema>;

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
    agentUpdate: agentUpdateSchema.nullable().meta({
      description:
        "The agent's last self-update (to the control plane's bundle): in progress, done or failed",
    }),
    latestAgentVersion: z
      .string()
      .nullable()
      .meta({ description: "The agent version this control plane serves (agents older than it update)" }),
    hostCheck: hostCheckSchema.nullable().meta({
      description:
        "The agent's last check of its host: PVE version, privileges its token lacks (with the command that grants them), other problems",
    }),
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
    backupCron: z.string().nullable().optional().meta({
      description:
        "The node's default backup schedule (cron, UTC) for apps without a backup schedule of their own",
    }),
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
    warning: z.string().nullable().meta({
      description:
        "Set when PYLON_PUBLIC_URL is not configured: the command then uses the address this request came to, which the Proxmox host may not reach; says what to set",
    }),
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
