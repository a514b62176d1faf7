import { For, Show } from "solid-js";
import type { StepStatus, StepView } from "./job-view.ts";

const ICON: Record<StepStatus, string> = { started: "◌", succeeded: "✓", failed: "✗", undone: "↺" };

/**
 * The job's steps with their state; the failing one is highlighted. `shown` is the error text
 * the page already shows elsewhere: a step message it contains is not repeated under the step.
 */
export function JobSteps(props: { steps: StepView[]; failedStep: string | null; shown: string | null }) {
  const message = (s: StepView) => {
    if (!s.message) return null;
    return s.step === props.failedStep && props.shown?.includes(s.message) ? null : s.message;
  };
  return (
    <Show when={props.steps.length > 0}>
      <ol class="steps" aria-label="Steps">
        <For each={props.steps}>
          {(s) => (
            <li
              class={`step step-${s.status}`}
              classList={{ "step-failing": s.step === props.failedStep }}
              data-step={s.step}
            >
              <span class="step-icon" aria-hidden="true">
                <Show when={s.status === "started"} fallback={ICON[s.status]}>
                  <span class="spinner" />
                </Show>
              </span>
              <span class="step-name">{s.step}</span>
              <span class="step-status muted">
                {s.status}
                {s.undone ? ", undone" : ""}
              </span>
              <Show when={message(s)}>{(m) => <span class="step-message">{m()}</span>}</Show>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
