import type { JobStatus } from "@pylon/shared";
import { Show } from "solid-js";

/** A progress bar from the job's latest progress event; indeterminate while running without one. */
export function JobProgress(props: {
  progress: { percent: number; message?: string } | null;
  status: JobStatus;
}) {
  const active = () => ["queued", "offered", "running"].includes(props.status);
  return (
    <Show when={props.progress || active()}>
      <div class="progress-wrap">
        <div
          class="progress"
          classList={{
            "progress-indeterminate": !props.progress && active(),
            "progress-failed": props.status === "failed" || props.status === "lost",
            "progress-cancelled": props.status === "cancelled",
            "progress-succeeded": props.status === "succeeded",
          }}
          role="progressbar"
          aria-label="Progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={props.progress ? Math.round(props.progress.percent) : undefined}
        >
          <span style={props.progress ? { width: `${props.progress.percent}%` } : undefined} />
        </div>
        <span class="muted small">
          {props.progress
            ? `${Math.round(props.progress.percent)} %`
            : props.status === "running"
              ? "running"
              : "waiting for the agent"}
          <Show when={props.progress?.message}>{(m) => <> · {m()}</>}</Show>
        </span>
      </div>
    </Show>
  );
}
