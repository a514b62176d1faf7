import { createSignal } from "solid-js";
import { createAction } from "../../api/action.ts";
import { setNodeBackupStorage } from "../../api/backups.ts";
import type { NodeDetail } from "../../api/queries.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { SelectField } from "../../components/SelectField.tsx";

/** The storage apps on this node back up to unless they name their own. */
export function BackupStorageCard(props: {
  node: NodeDetail & { backupStorage?: string | null };
  onSaved: () => void;
}) {
  const storages = () => (props.node.inventory?.storages ?? []).filter((s) => s.content.includes("backup"));
  const [value, setValue] = createSignal(props.node.backupStorage ?? "");
  const save = createAction(setNodeBackupStorage);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if ((await save.run(props.node.id, value() || null)) !== undefined) props.onSaved();
  };
  return (
    <section class="card" aria-labelledby="backup-storage-title">
      <h2 id="backup-storage-title">Backups</h2>
      <form class="inline-form" onSubmit={submit}>
        <SelectField
          label="Default backup storage"
          name="backup-storage"
          value={value()}
          onValue={setValue}
          hint="Apps on this node back up here unless they name a storage. Proxmox Backup Server storages work too."
          options={[
            { value: "", label: "Automatic (local, else the first storage holding backups)" },
            ...storages().map((s) => ({ value: s.storage, label: `${s.storage} (${s.type})` })),
          ]}
          error={save.error()?.field("backupStorage")}
        />
        <Button type="submit" variant="primary" busy={save.pending()} busyLabel="Saving…">
          Save
        </Button>
      </form>
      <ErrorMessage error={save.error()} fields={["backupStorage"]} />
    </section>
  );
}
