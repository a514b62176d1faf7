import { createSignal, For, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import type { NodeDetail } from "../../api/queries.ts";
import { setNodeBackupCron } from "../../api/schedules.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";
import { Time } from "../../components/Time.tsx";

/** The node's default backup schedule: apps on it without a backup schedule of their own follow it. */
export function BackupScheduleCard(props: {
  node: NodeDetail & { backupCron?: string | null };
  onSaved: () => void;
}) {
  const [value, setValue] = createSignal(props.node.backupCron ?? "");
  const [next, setNext] = createSignal<string[]>([]);
  const save = createAction(setNodeBackupCron);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const r = await save.run(props.node.id, value().trim() || null);
    if (r) {
      setNext(r.nextRuns);
      props.onSaved();
    }
  };
  return (
    <section class="card" aria-labelledby="backup-schedule-title">
      <h2 id="backup-schedule-title">Default backup schedule</h2>
      <form class="inline-form" onSubmit={submit}>
        <Field
          label="Cron (UTC)"
          name="backup-cron"
          value={value()}
          onValue={setValue}
          hint="e.g. 0 3 * * * for 03:00 every day. Empty: no default. The node's agent runs it, also while Pylon is down."
          error={save.error()?.field("backupCron")}
        />
        <Button type="submit" variant="primary" busy={save.pending()} busyLabel="Saving…">
          Save
        </Button>
      </form>
      <Show when={next().length}>
        <p class="muted">
          Next runs:{" "}
          <For each={next()}>
            {(t) => (
              <span class="next-run">
                <Time at={t} />{" "}
              </span>
            )}
          </For>
        </p>
      </Show>
      <ErrorMessage error={save.error()} fields={["backupCron"]} />
    </section>
  );
}
