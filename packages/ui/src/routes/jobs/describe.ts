import type { Job } from "@pylon/shared";

// Kinds without a label here (added by later issues) show their own name.
const KIND_LABEL: Partial<Record<Job["kind"], string>> = {
  "node.inventory": "Inventory",
  "guest.power": "Guest power",
};

/** A job in words: "Inventory", "Guest power: start 101". */
export function describeJob(job: Pick<Job, "kind" | "params">): string {
  const label = KIND_LABEL[job.kind] ?? job.kind;
  const p = job.params;
  if (job.kind === "guest.power" && typeof p === "object" && p !== null && "action" in p && "vmid" in p)
    return `${label}: ${String(p.action)} ${String(p.vmid)}`;
  return label;
}

export const JOB_KIND_OPTIONS = Object.entries(KIND_LABEL).map(([value, label]) => ({ value, label }));

/** Whether the job is finished (its state will not change again). */
export const isFinished = (status: Job["status"]) =>
  status === "succeeded" || status === "failed" || status === "cancelled" || status === "lost";

// Mirrors JOB_STATUSES of @pylon/shared, which cannot be imported as a value without zod; the
// type check keeps the two in step.
export const JOB_STATUS_VALUES = [
  "queued",
  "offered",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "lost",
] as const satisfies readonly Job["status"][];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const statusesMatch: Same<(typeof JOB_STATUS_VALUES)[number], Job["status"]> = true;
void statusesMatch;
