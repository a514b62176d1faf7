import type { App } from "@pylon/shared";
import { createSignal } from "solid-js";
import { createAction } from "../../../api/action.ts";
import { type BackupList, backUpNow } from "../../../api/backups.ts";
import { Button } from "../../../components/Button.tsx";
import { ErrorMessage } from "../../../components/ErrorMessage.tsx";
import { Field } from "../../../components/Field.tsx";
import { SelectField } from "../../../components/SelectField.tsx";
import { formatBytes } from "../../../lib/format.ts";

/** Backs the app up now, to its backup storage or one picked here, with an optional note. */
export function BackupNow(props: { app: App; list: BackupList; onQueued: () => void }) {
  const [storage, setStorage] = createSignal(props.list.storage ?? "");
  const [note, setNote] = createSignal("");
  const run = createAction(backUpNow);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const made = await run.run(props.app.id, {
      ...(storage() ? { storage: storage() } : {}),
      ...(note().trim() ? { note: note().trim() } : {}),
    });
    if (made) {
      setNote("");
      props.onQueued();
    }
  };
  return (
    <section class="card" aria-labelledby="backup-now-title">
      <h2 id="backup-now-title">Back up now</h2>
      <p class="muted">
        A vzdump of the app's guest in snapshot mode (zstd), then the app's retention applied with Proxmox's
        prune.
      </p>
      <form class="inline-form" onSubmit={submit}>
        <SelectField
          label="Storage"
          name="storage"
          value={storage()}
          onValue={setStorage}
          options={props.list.storages.map((s) => ({
            value: s.storage,
            label: `${s.storage} (${s.type}, ${formatBytes(s.avail)} free)`,
          }))}
          error={run.error()?.field("storage")}
        />
        <Field label="Note" name="note" value={note()} onValue={setNote} maxlength={200} autocomplete="off" />
        <Button
          type="submit"
          variant="primary"
          busy={run.pending()}
          busyLabel="Starting…"
          disabled={!storage()}
        >
          Back up now
        </Button>
      </form>
      <ErrorMessage error={run.error()} fields={["storage", "note"]} />
    </section>
  );
}
