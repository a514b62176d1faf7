import type { JobStatus } from "@pylon/shared";
import { Badge } from "../../components/Badge.tsx";

const TONE: Record<JobStatus, "neutral" | "good" | "bad" | "warn" | "accent"> = {
  queued: "neutral",
  offered: "neutral",
  running: "accent",
  succeeded: "good",
  failed: "bad",
  cancelled: "warn",
  lost: "bad",
};

/** A job's state as a coloured word. */
export function JobStatusBadge(props: { status: JobStatus }) {
  return (
    <span data-testid="job-status">
      <Badge tone={TONE[props.status]}>{props.status}</Badge>
    </span>
  );
}
