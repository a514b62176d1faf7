import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";

/**
 * Holds agents' WebSocket connections for one runtime: in process memory on Node
 * (memory-hub.ts); a Durable Object per node on Workers (to come). Work reaches it through the
 * change bus, so any process may create a job for an agent another process holds.
 */
export interface AgentHub {
  /** Handles GET /agent/v1/connect once the agent is authenticated (`c.get("agentNode")`). */
  readonly connect: MiddlewareHandler<AppEnv>;
  /** Closes every connection and stops timers. */
  stop(): Promise<void>;
}
