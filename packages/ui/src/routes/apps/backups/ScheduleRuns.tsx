import { For, Show } from "solid-js";
import type { ScheduleRun } from "../../../api/schedules.ts";
import { Badge } from "../../../components/Badge.tsx";
import { Time } from "../../../components/Time.tsx";

const TONE = {
  succeeded: "good",
  failed: "bad",
  missed: "warn",
  running: "accent",
  cancelled: "neutral",
} as const;

/** The latest runs the node made of its schedules, or missed (the agent was down). */
export function ScheduleRuns(props: { runs: ScheduleRun[] }) {
  return (
    <Show when={props.runs.length}>
      <h3>Latest scheduled runs</h3>
      <ul class="plain schedule-runs">
        <For each={props.runs.slice(0, 20)}>
          {(r) => (
            <li data-run={r.status}>
              <Badge tone={TONE[r.status]}>{r.status}</Badge> {r.kind} at <Time at={r.scheduledAt} />
              <Show when={r.jobId}>
                {(id) => (
                  <>
                    {" "}
                    <a href={`/jobs/${id()}`}>job</a>
                  </>
                )}
              </Show>
              <Show when={r.error}>{(e) => <span class="muted small"> — {e()}</span>}</Show>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
