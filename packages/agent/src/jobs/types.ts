import type { JobKind, JobParams, StepFacts } from "@pylon/shared/protocol/index";
import type { JobEvent } from "../journal/records.ts";
import type { PveClient } from "../proxmox/client.ts";

type StepStatus = Extract<JobEvent, { kind: "step" }>["status"];

/** What a job handler gets: its signal, the Proxmox client and durable event/checkpoint writers. */
export interface JobContext {
  jobId: string;
  /**
   * Aborted on `cancel` (reason {@link CANCELLED}) or agent shutdown; handlers stop at the next
   * safe point. A cancelled handler undoes what it did, like after a failure.
   */
  signal: AbortSignal;
  /** Aborted only when the agent shuts down: the signal a cancelled job's undo runs under. */
  stopping?: AbortSignal;
  pve: PveClient;
  nodeName: string;
  /** True when the job was running when the agent last stopped and is being picked up again. */
  resumed: boolean;
  /** Checkpoints recorded by earlier runs of this job (empty on a first run). */
  checkpoints: ReadonlyMap<string, unknown>;
  log(level: "info" | "warn" | "error", message: string): Promise<void>;
  progress(percent: number, message?: string): Promise<void>;
  /** A step's state; `facts` tells the control plane what the job learnt (a guest id, an address). */
  step(step: string, status: StepStatus, message?: string, facts?: StepFacts): Promise<void>;
  /** Durably records a step boundary to resume from after a restart. */
  checkpoint(name: string, data: unknown): Promise<void>;
}

/** One handler per job kind; returns the result data. */
export interface JobHandler<K extends JobKind = JobKind> {
  kind: K;
  run(params: JobParams<K>, ctx: JobContext): Promise<unknown>;
}

/** The abort reason of a user's cancel (a shutdown aborts with another reason). */
export const CANCELLED: unique symbol = Symbol("cancelled");

/** Whether a job's signal fired because a user cancelled it (not because the agent stops). */
export function wasCancelled(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason === CANCELLED;
}

/**
 * A job failure with a message meant for the user and the step it happened in; `data` goes
 * with the failed or cancelled result (e.g. `{ undone: true }` when nothing was left behind).
 */
export class JobError extends Error {
  override name = "JobError";
  constructor(
    message: string,
    readonly step?: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}
