import { z } from "zod";
import { guestMetricsSchema, jobKindSchema, MAX_HEARTBEAT_GUESTS, nodeMetricsSchema } from "./jobs.ts";
import { runFrame, schedulesFrame } from "./schedule-frames.ts";

/**
 * The agent <-> control plane wire protocol. Frames are JSON text messages on one WebSocket
 * (`/agent/v1/connect`), each `{ v, type, ... }`. PROTOCOL_VERSION changes only incompatibly;
 * a new optional field or a new frame type a peer may ignore keeps it.
 */
export const PROTOCOL_VERSION = 1;

const v = z.literal(PROTOCOL_VERSION);
const jobId = z.string().min(1).max(64);
const seq = z.number().int().min(1);

/** A job the agent holds in its journal, reported in hello so nothing is lost across reconnects. */
const heldJob = z.object({
  jobId,
  state: z.enum(["running", "finished"]),
  /** Highest event seq the agent has produced for this job. */
  lastSeq: z.number().int().min(0),
});

// ---- agent -> control plane ----

/** agent -> cp, first frame after connecting. */
export const helloFrame = z.object({
  v,
  type: z.literal("hello"),
  agentVersion: z.string().max(50),
  nodeName: z.string().max(100),
  pveVersion: z.string().max(100).nullable(),
  capabilities: z.array(z.string().max(50)).max(50),
  jobs: z.array(heldJob).max(10_000),
});

/**
 * agent -> cp, every heartbeat interval; carries host metrics and, from agents that know it,
 * the node's guests' figures (`guests`: control planes before it strip the unknown field).
 */
export const agentHeartbeatFrame = z.object({
  v,
  type: z.literal("heartbeat"),
  at: z.number(),
  metrics: nodeMetricsSchema.optional(),
  guests: z.array(guestMetricsSchema).max(MAX_HEARTBEAT_GUESTS).optional(),
});

/**
 * What the agent found on its host (at start, then whenever it changes): the PVE version, the
 * privileges its API token lacks for that version, other problems (a PVE below 8.2, an API it
 * cannot reach), and the one command that fixes the privileges. Control planes before it answer
 * with a protocol error the agent only logs.
 */
export const hostCheckSchema = z.object({
  checkedAt: z.number(),
  pveVersion: z.string().max(100).nullable(),
  missingPrivileges: z.array(z.string().max(100)).max(100),
  problems: z.array(z.string().max(2000)).max(20),
  fix: z.string().max(4000).nullable(),
});
export type HostCheck = z.infer<typeof hostCheckSchema>;

/** agent -> cp: the result of the host check (see hostCheckSchema). */
export const hostFrame = hostCheckSchema.extend({ v, type: z.literal("host") });

/**
 * agent -> cp: how a self-update ordered by `update` goes. `restarting`: the new bundle is
 * verified and in place, the agent exits for systemd to start it; the new agent's hello (with
 * the new version) is the success. `failed`: nothing was changed (download, checksum, the
 * bundle does not run). `rolled_back`: the new agent did not reconnect in time and the previous
 * bundle runs again (sent by it).
 */
export const updatingFrame = z.object({
  v,
  type: z.literal("updating"),
  state: z.enum(["downloading", "restarting", "failed", "rolled_back"]),
  from: z.string().max(50),
  to: z.string().max(50),
  message: z.string().max(2000).optional(),
});

/** agent -> cp: the offer is journaled and will run (also sent for a duplicate offer of a held job). */
export const acceptFrame = z.object({ v, type: z.literal("accept"), jobId });

/** agent -> cp: the agent will not run this offer (unknown kind, bad params, at capacity). */
export const rejectFrame = z.object({
  v,
  type: z.literal("reject"),
  jobId,
  reason: z.enum(["unknown_kind", "invalid_params", "busy", "shutting_down"]),
  message: z.string().max(2000),
});

/**
 * What a deploy has learnt about its guest so far, sent with the step that learnt it, so the app
 * shows its guest while the job still runs (added after v1 without a version bump: optional, and
 * a control plane that predates it strips it). `null` says the guest is gone again (undone).
 */
export const stepFactsSchema = z
  .object({
    vmid: z.number().int().min(1).nullable().optional(),
    address: z.string().max(100).nullable().optional(),
  })
  .strict();
export type StepFacts = z.infer<typeof stepFactsSchema>;

/** agent -> cp: one event of a running job. `seq` counts from 1 per job; resent until acked. */
export const eventFrame = z.object({
  v,
  type: z.literal("event"),
  jobId,
  seq,
  at: z.number(),
  event: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("log"),
      level: z.enum(["info", "warn", "error"]),
      message: z.string().max(16_000),
    }),
    z.object({
      kind: z.literal("progress"),
      percent: z.number().min(0).max(100),
      message: z.string().max(2000).optional(),
    }),
    z.object({
      kind: z.literal("step"),
      step: z.string().max(100),
      status: z.enum(["started", "succeeded", "failed", "undone"]),
      message: z.string().max(2000).optional(),
      facts: stepFactsSchema.optional(),
    }),
    z.object({
      kind: z.literal("result"),
      status: z.enum(["succeeded", "failed", "cancelled"]),
      result: z.unknown().optional(),
      error: z.object({ message: z.string().max(16_000), step: z.string().max(100).optional() }).optional(),
    }),
  ]),
});

/** agent -> cp: answer to `status` for a job the agent has no record of. */
export const absentFrame = z.object({ v, type: z.literal("absent"), jobId });

/** agent -> cp: the rotated credential is stored; the old one may be dropped. */
export const rotatedFrame = z.object({ v, type: z.literal("rotated"), credentialId: z.string().max(64) });

/**
 * either way: the peer sent something this side cannot accept. With `jobId` (cp -> agent), the
 * refused frame was about that job: with `retry`, nothing was stored and the agent sends that
 * job's unacknowledged frames again a little later (a database error, an event out of order);
 * without, the refusal is final (too large, invalid, not this node's job, after its result,
 * over its output limit): the job has failed on the control plane and the agent stops it and
 * drops it from its journal. Both fields are optional additions: older peers ignore them.
 */
export const errorFrame = z.object({
  v,
  type: z.literal("error"),
  code: z.enum(["invalid_frame", "unsupported_version", "not_allowed", "internal"]),
  message: z.string().max(2000),
  jobId: jobId.optional(),
  retry: z.boolean().optional(),
});

export const agentFrameSchema = z.discriminatedUnion("type", [
  helloFrame,
  agentHeartbeatFrame,
  hostFrame,
  updatingFrame,
  acceptFrame,
  rejectFrame,
  eventFrame,
  absentFrame,
  rotatedFrame,
  errorFrame,
  runFrame,
]);
export type AgentFrame = z.infer<typeof agentFrameSchema>;

// ---- control plane -> agent ----

/** cp -> agent, answer to hello. */
export const welcomeFrame = z.object({
  v,
  type: z.literal("welcome"),
  nodeId: z.string(),
  serverTime: z.number(),
  heartbeatMs: z.number().int().min(100),
  maxConcurrentJobs: z.number().int().min(1),
});

/**
 * cp -> agent: replace yourself with this bundle (`url` relative to the control plane), after
 * checking it has this SHA-256 and reports this version; then restart through systemd and go
 * back to the previous bundle if the new one does not reconnect within a minute.
 */
export const updateFrame = z.object({
  v,
  type: z.literal("update"),
  version: z.string().min(1).max(50),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  url: z.string().min(1).max(500),
});

/** cp -> agent, heartbeat. */
export const serverHeartbeatFrame = z.object({ v, type: z.literal("heartbeat"), at: z.number() });

/** cp -> agent: run this job. Job ids are idempotency keys: an offer of a held job is not run again. */
export const offerFrame = z.object({
  v,
  type: z.literal("offer"),
  jobId,
  kind: jobKindSchema,
  params: z.unknown(),
  attempt: z.number().int().min(1),
});

/** cp -> agent: stop this job (its result will say cancelled). */
export const cancelFrame = z.object({ v, type: z.literal("cancel"), jobId });

/** cp -> agent: events of `jobId` up to and including `seq` are stored; drop them from the outbox. */
export const ackFrame = z.object({ v, type: z.literal("ack"), jobId, seq });

/** cp -> agent: does the agent know this job? (answered by an event resend or `absent`). */
export const statusFrame = z.object({ v, type: z.literal("status"), jobId });

/** cp -> agent: store this new credential and answer `rotated`. */
export const rotateFrame = z.object({
  v,
  type: z.literal("rotate"),
  credentialId: z.string().max(64),
  credential: z.string().max(200),
});

export const serverFrameSchema = z.discriminatedUnion("type", [
  welcomeFrame,
  serverHeartbeatFrame,
  offerFrame,
  cancelFrame,
  ackFrame,
  statusFrame,
  rotateFrame,
  updateFrame,
  errorFrame,
  schedulesFrame,
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

/** WebSocket close codes with a meaning in this protocol (4000-4999 are application codes). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 4400,
  unauthorized: 4401,
  revoked: 4403,
  replaced: 4409,
  /** The control plane could not take the connection now (e.g. its database failed); reconnect. */
  tryAgain: 1013,
} as const;
