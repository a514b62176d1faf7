import type { Context, MiddlewareHandler } from "hono";
import type { Db } from "./db/client.ts";
import type { ChangeBus } from "./hub/change-bus.ts";
import type { AgentHub } from "./hub/hub.ts";
import type { Logger } from "./lib/logger.ts";
import type { PasswordHasher } from "./lib/passwords.ts";

/** Session lifetimes in milliseconds. */
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

/** How long growing tables keep rows (PYLON_AUDIT_RETENTION_DAYS, PYLON_JOB_RETENTION_DAYS, PYLON_JOB_KEEP_DEPLOYS). */
export interface RetentionPolicy {
  /** Audit rows are kept this many days. */
  auditDays: number;
  /** Finished jobs and their events are kept this many days… */
  jobDays: number;
  /** …except each existing app's last this-many deploys, and every app's latest job. */
  keepDeploys: number;
}

/** The schedule kinds the automation policy turns on (the names the schedules service uses). */
export type PolicyScheduleKind = "backup" | "drill" | "update-check";

/** Keeps per-app schedules for the automation policy (services/policy.ts); the schedules service behind it. */
export interface PolicyScheduler {
  /** Creates or changes the app's schedule of this kind (idempotent), and pushes it to the node. */
  ensure(appId: string, kind: PolicyScheduleKind, cron: string): Promise<void>;
  /** Removes the app's schedule of this kind, if any. */
  remove(appId: string, kind: PolicyScheduleKind): Promise<void>;
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
  /** Which runtime serves the app (reported by /healthz). */
  runtime: "node" | "workers";
  /**
   * Where apps are served (`<name>.<domain>` on the nodes' Caddy HTTPS port), and how many of
   * its own snapshots each app keeps (default 3).
   */
  apps?: { domain: string; httpsPort: number; keepSnapshots?: number };
  /** Cross-process change feed (jobs queued, cancels, revocations, new events). */
  bus: ChangeBus;
  /** Holds agent sockets in this runtime; absent where agents cannot connect (tests of the API only). */
  hub?: AgentHub;
  /**
   * What the runtime still does before it is ready (e.g. creating the PYLON_ADMIN_* account), or
   * null once it is; `/readyz` answers 503 until then. Absent: ready as soon as it answers.
   */
  pending?: () => string | null;
  /** How often open live views (SSE) send a keepalive and check their caller again; 15 s. */
  streamKeepaliveMs?: number;
  /** Password hashing with its bounded queue; the process's shared one when absent. */
  passwords?: PasswordHasher;
  /** How long audit rows and finished jobs are kept (services/retention.ts); defaults when absent. */
  retention?: Partial<RetentionPolicy>;
  /** Reads the installer script (`agent.sh`); null when this runtime does not have it. */
  installFile?: (name: "agent.sh") => Promise<string | null>;
  /** The agent bundle the installer downloads and agents update from; null when not built. */
  agentBundle?: () => Promise<AgentBundle | null>;
  /**
   * Keeps the schedules the automation policy (AUTO) gives apps; absent until the schedules
   * service is wired (then AUTO applies only its retention part).
   */
  policyScheduler?: PolicyScheduler;
}

/** The agent as this control plane serves it: its bytes, their SHA-256 (hex) and its version. */
export interface AgentBundle {
  bytes: Uint8Array;
  sha256: string;
  version: string;
}

export const DEFAULT_SESSIONS: SessionPolicy = { idleMs: 12 * 3600_000, absoluteMs: 7 * 24 * 3600_000 };
export const DEFAULT_RETENTION: RetentionPolicy = { auditDays: 180, jobDays: 90, keepDeploys: 10 };
