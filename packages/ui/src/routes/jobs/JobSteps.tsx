import { For, Show } from "solid-js";
import type { StepStatus, StepView } from "./job-view.ts";

const ICON: Record<StepStatus, string> = { started: "◌", succeeded: "✓", failed: "✗", undone: "↺" };

/** The job's steps with their state; the failing one is highlighted with the error. */
export function JobSteps(props: { steps: StepView[]; failedStep: string | null; error: string | null }) {
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
              <span class="step-status muted">{s.status}</span>
              <Show when={s.message}>
                <span class="step-message">{s.message}</span>
              </Show>
              <Show when={s.step === props.failedStep && props.error}>
                <p class="step-error" role="alert">
                  {props.error}
                </p>
              </Show>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
