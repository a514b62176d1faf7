import type { Context, MiddlewareHandler } from "hono";
import type { Db } from "./db/client.ts";
import type { ChangeBus } from "./hub/change-bus.ts";
import type { AgentHub } from "./hub/hub.ts";
import type { Logger } from "./lib/logger.ts";

/** Session lifetimes in milliseconds. */
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

/** Everything the app needs from its runtime; `createApp` does no I/O of its own. */
export interface AppDeps {
  db: Db;
  logger: Logger;
  /** Milliseconds since the epoch; injected so tests can move time. */
  now: () => number;
  /** Server-side secret for HMACs (CSRF tokens) and later for encrypting app secrets. */
  secretKey: string;
  /** The public origin (e.g. https://pylon.example.com) when known; cookies get Secure on https. */
  publicUrl?: string;
  /** The caller's IP as this runtime knows it. */
  clientIp: (c: Context) => string | null;
  sessions?: Partial<SessionPolicy>;
  /** Serves the dashboard's static files (Node); on Workers the platform serves assets. */
  serveUi?: MiddlewareHandler;
  version?: string;
  /**
   * Where apps are served (`<name>.<domain>` on the nodes' Caddy HTTPS port), and how many of
   * its own snapshots each app keeps (default 3).
   */
  apps?: { domain: string; httpsPort: number; keepSnapshots?: number };
  /** Cross-process change feed (jobs queued, cancels, revocations, new events). */
  bus: ChangeBus;
  /** Holds agent sockets in this runtime; absent where agents cannot connect (tests of the API only). */
  hub?: AgentHub;
  /** Reads a file the installer fetches (`agent.sh`, `agent.mjs`); null when this runtime does not have it. */
  installFile?: (name: "agent.sh" | "agent.mjs") => Promise<string | null>;
}

export const DEFAULT_SESSIONS: SessionPolicy = { idleMs: 12 * 3600_000, absoluteMs: 7 * 24 * 3600_000 };
