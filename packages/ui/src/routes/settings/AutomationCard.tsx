import type { AutomationPolicy } from "@pylon/shared";
import { createSignal, For, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { setAutomation } from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";

const CHOICES: { value: AutomationPolicy; label: string; text: string }[] = [
  {
    value: "auto",
    label: "AUTO",
    text: "Every app, now and later: backed up daily (keeping 7 daily, 4 weekly, 3 monthly), a weekly restore drill and a weekly update check. Retention details and schedule editors are hidden.",
  },
  {
    value: "pro",
    label: "PRO",
    text: "You decide each app's backups, retention, drills and update checks. Switching to PRO takes nothing away.",
  },
];

/** Admins: the installation's automation policy (AUTO or PRO), saved at once and audited. */
export function AutomationCard(props: { current: AutomationPolicy; onSaved: (p: AutomationPolicy) => void }) {
  const [choice, setChoice] = createSignal<AutomationPolicy>(props.current);
  const [note, setNote] = createSignal<string | null>(null);
  const save = createAction(setAutomation);
  return (
    <section class="card" aria-labelledby="automation-title">
      <h2 id="automation-title">Automation</h2>
      <fieldset class="choices">
        <legend class="sr-only">Automation policy</legend>
        <For each={CHOICES}>
          {(c) => (
            <label class="choice">
              <input
                type="radio"
                name="automation"
                value={c.value}
                checked={choice() === c.value}
                onChange={() => setChoice(c.value)}
              />{" "}
              <strong>{c.label}</strong> <span class="muted">— {c.text}</span>
            </label>
          )}
        </For>
      </fieldset>
      <div class="actions start">
        <Button
          variant="primary"
          disabled={choice() === props.current}
          busy={save.pending()}
          busyLabel="Saving…"
          onClick={async () => {
            const r = await save.run(choice());
            if (!r) return;
            setNote(
              r.automation === "auto"
                ? `AUTO is on for ${r.appsApplied} app${r.appsApplied === 1 ? "" : "s"}${r.schedulesApplied ? "" : " (retention now; schedules once this server keeps schedules)"}.`
                : "PRO is on: everything is yours to set.",
            );
            props.onSaved(r.automation);
          }}
        >
          Save
        </Button>
        <Show when={note()}>
          {(n) => (
            <span class="muted small" role="status">
              {n()}
            </span>
          )}
        </Show>
      </div>
      <ErrorMessage error={save.error()} />
    </section>
  );
}
