import type { JobKind, JobParams } from "@pylon/shared/protocol/index";
import type { JobEvent } from "../journal/records.ts";
import type { PveClient } from "../proxmox/client.ts";

type StepStatus = Extract<JobEvent, { kind: "step" }>["status"];

/** What a job handler gets: its signal, the Proxmox client and durable event/checkpoint writers. */
export interface JobContext {
  jobId: string;
  /** Aborted on `cancel` or agent shutdown; handlers stop at the next safe point. */
  signal: AbortSignal;
  pve: PveClient;
  nodeName: string;
  /** True when the job was running when the agent last stopped and is being picked up again. */
  resumed: boolean;
  /** Checkpoints recorded by earlier runs of this job (empty on a first run). */
  checkpoints: ReadonlyMap<string, unknown>;
  log(level: "info" | "warn" | "error", message: string): Promise<void>;
  progress(percent: number, message?: string): Promise<void>;
  step(step: string, status: StepStatus, message?: string): Promise<void>;
  /** Durably records a step boundary to resume from after a restart. */
  checkpoint(name: string, data: unknown): Promise<void>;
}

/** One handler per job kind; returns the result data. */
export interface JobHandler<K extends JobKind = JobKind> {
  kind: K;
  run(params: JobParams<K>, ctx: JobContext): Promise<unknown>;
}

/** A job failure with a message meant for the user and the step it happened in. */
export class JobError extends Error {
  override name = "JobError";
  constructor(
    message: string,
    readonly step?: string,
  ) {
    super(message);
  }
}
