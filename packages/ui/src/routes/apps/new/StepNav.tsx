import { For } from "solid-js";
import { STEPS, type StepId } from "./draft.ts";

/** The wizard's steps in order; steps already reached can be revisited. */
export function StepNav(props: { current: StepId; reached: number; onGo: (id: StepId) => void }) {
  return (
    <nav aria-label="Deploy steps">
      <ol class="wizard-steps">
        <For each={STEPS}>
          {(s, i) => (
            <li classList={{ done: i() < props.reached && s.id !== props.current }}>
              <button
                type="button"
                class="btn btn-ghost"
                aria-current={s.id === props.current ? "step" : undefined}
                disabled={i() > props.reached}
                onClick={() => props.onGo(s.id)}
              >
                <span class="wizard-num" aria-hidden="true">
                  {i() + 1}
                </span>
                {s.label}
              </button>
            </li>
          )}
        </For>
      </ol>
    </nav>
  );
}
