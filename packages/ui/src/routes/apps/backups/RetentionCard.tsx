import type { App } from "@pylon/shared";
import { createSignal, For, Show } from "solid-js";
import { createAction } from "../../../api/action.ts";
import {
  type BackupList,
  type PruneMark,
  pruneDryRun,
  type Retention,
  saveBackupSettings,
} from "../../../api/backups.ts";
import { Badge } from "../../../components/Badge.tsx";
import { Button } from "../../../components/Button.tsx";
import { ErrorMessage } from "../../../components/ErrorMessage.tsx";
import { Field } from "../../../components/Field.tsx";
import { SelectField } from "../../../components/SelectField.tsx";
import { Time } from "../../../components/Time.tsx";

const KEYS: [keyof Retention, string][] = [
  ["keepLast", "Keep last"],
  ["keepHourly", "Hourly"],
  ["keepDaily", "Daily"],
  ["keepWeekly", "Weekly"],
  ["keepMonthly", "Monthly"],
  ["keepYearly", "Yearly"],
];

/** The retention typed in, or null when every field is empty (keep all). */
function parse(values: Record<string, string>): Retention | null {
  const r: Retention = {};
  for (const [k] of KEYS) {
    const n = Number(values[k]);
    if (values[k]?.trim() && Number.isInteger(n) && n > 0) r[k] = n;
  }
  return Object.keys(r).length ? r : null;
}

/** Retention in Proxmox's terms and the backup storage, with a dry run of what would go. */
export function RetentionCard(props: {
  app: App;
  list: BackupList;
  canOperate: boolean;
  onSaved: () => void;
}) {
  const [values, setValues] = createSignal<Record<string, string>>(
    Object.fromEntries(KEYS.map(([k]) => [k, String(props.list.retention?.[k] ?? "")])),
  );
  const [storage, setStorage] = createSignal(props.list.appStorage ?? "");
  const [marks, setMarks] = createSignal<PruneMark[] | null>(null);
  const dry = createAction(pruneDryRun);
  const save = createAction(saveBackupSettings);
  const set = (k: string, v: string) => setValues({ ...values(), [k]: v });
  const tryIt = async () => {
    const r = await dry.run(props.app.id, parse(values()));
    if (r) setMarks(r.entries);
  };
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (await save.run(props.app.id, parse(values()), storage() || null)) props.onSaved();
  };
  return (
    <section class="card" aria-labelledby="retention-title">
      <h2 id="retention-title">Retention</h2>
      <p class="muted">
        Applied with Proxmox's prune after each backup: the newest “keep last”, then the newest of each of the
        last hours, days, weeks, months and years given. Empty everywhere keeps every backup. Protected
        backups always stay.
      </p>
      <form onSubmit={submit}>
        <div class="retention-fields">
          <For each={KEYS}>
            {([k, label]) => (
              <Field
                label={label}
                name={k}
                inputmode="numeric"
                value={values()[k] ?? ""}
                onValue={(v) => set(k, v)}
                disabled={!props.canOperate}
                error={save.error()?.field(`retention.${k}`)}
              />
            )}
          </For>
        </div>
        <SelectField
          label="Backup storage"
          name="backup-storage"
          value={storage()}
          onValue={setStorage}
          disabled={!props.canOperate}
          options={[
            { value: "", label: "The node's default" },
            ...props.list.storages.map((s) => ({ value: s.storage, label: `${s.storage} (${s.type})` })),
          ]}
        />
        <Show when={props.canOperate}>
          <div class="actions">
            <Button busy={dry.pending()} busyLabel="Asking Proxmox…" onClick={() => void tryIt()}>
              Dry run
            </Button>
            <Button type="submit" variant="primary" busy={save.pending()} busyLabel="Saving…">
              Save
            </Button>
          </div>
        </Show>
      </form>
      <ErrorMessage error={dry.error() ?? save.error()} />
      <Show when={marks()}>
        {(m) => (
          <div class="dry-run" aria-live="polite">
            <h3>Dry run: {m().filter((x) => x.mark === "remove").length} would go</h3>
            <ul class="plain">
              <For each={m()}>
                {(x) => (
                  <li>
                    <Badge tone={x.mark === "remove" ? "bad" : x.mark === "protected" ? "neutral" : "good"}>
                      {x.mark}
                    </Badge>{" "}
                    <Time at={x.takenAt} /> <span class="small">{x.volid}</span>
                  </li>
                )}
              </For>
            </ul>
          </div>
        )}
      </Show>
    </section>
  );
}
