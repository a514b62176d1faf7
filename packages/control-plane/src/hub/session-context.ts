// What an agent session needs from the hub that holds it. A leaf module, so that a hub (memory
// today, a Durable Object later) and the session both import it and not each other.
import type { GuestMetrics, NodeMetrics } from "@pylon/shared";
import type { AppDeps } from "../deps.ts";

/** The socket as the session needs it (hono's WSContext satisfies it). */
export interface AgentSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SessionDeps = Pick<
  AppDeps,
  "db" | "now" | "bus" | "logger" | "secretKey" | "retention" | "agentBundle" | "apps"
>;

/** What a session needs from its hub. */
export interface HubContext {
  deps: SessionDeps;
  instanceId: string;
  heartbeatMs: number;
  maxConcurrentJobs: number;
  /** Output a job may store (its events as sent) before it fails. */
  maxJobOutputBytes: number;
  noteMetrics(nodeId: string, m: NodeMetrics, at: number, guests?: GuestMetrics[]): void;
}
