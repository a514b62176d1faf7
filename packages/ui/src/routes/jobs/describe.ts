import type { Job } from "@pylon/shared";

// Kinds without a label here (added by later issues) show their own name.
const KIND_LABEL: Partial<Record<Job["kind"], string>> = {
  "node.inventory": "Inventory",
  "guest.power": "Guest power",
  "app.deploy": "App deploy",
  "app.action": "App action",
  "app.delete": "App delete",
  "app.resize": "App resize",
  "app.diagnostics": "App diagnostics",
  "app.logs": "App logs",
  "node.vmTemplate": "VM template",
  "app.backup": "App backup",
  "app.prune": "Backup prune",
  "app.volume": "Backup change",
  "app.drill": "Restore drill",
  "app.snapshot": "App snapshot",
};

const field = (p: unknown, k: string): string | undefined =>
  typeof p === "object" && p !== null && k in p ? String((p as Record<string, unknown>)[k]) : undefined;

/** A job in words: "Inventory", "Guest power: start 101". */
export function describeJob(job: Pick<Job, "kind" | "params">): string {
  const label = KIND_LABEL[job.kind] ?? job.kind;
  const p = job.params;
  if (job.kind === "guest.power" && typeof p === "object" && p !== null && "action" in p && "vmid" in p)
    return `${label}: ${String(p.action)} ${String(p.vmid)}`;
  if (job.kind === "app.deploy") {
    const name = field(p, "name");
    const mode = field(p, "mode");
    const what =
      mode === "redeploy"
        ? "App redeploy"
        : mode === "clone"
          ? "App clone"
          : mode === "restore"
            ? "App restore"
            : label;
    return name ? `${what}: ${name}` : what;
  }
  if (job.kind === "app.action" || job.kind === "app.diagnostics" || job.kind === "app.snapshot") {
    const what = field(p, job.kind === "app.action" ? "action" : job.kind === "app.snapshot" ? "op" : "name");
    return what ? `${label}: ${what}` : label;
  }
  if (job.kind === "node.vmTemplate") {
    const image = field(p, "image");
    return image ? `${label}: ${image} as ${field(p, "vmid") ?? "?"}` : label;
  }
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
