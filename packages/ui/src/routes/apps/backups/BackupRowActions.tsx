import type { App } from "@pylon/shared";
import { createSignal, Show } from "solid-js";
import { createAction } from "../../../api/action.ts";
import { type Backup, deleteBackup, drillBackup, setProtected } from "../../../api/backups.ts";
import { Button } from "../../../components/Button.tsx";
import { ConfirmDialog } from "../../../components/ConfirmDialog.tsx";
import { ErrorMessage } from "../../../components/ErrorMessage.tsx";

/** Restore, drill, protect/unprotect and delete for one backup. */
export function BackupRowActions(props: {
  app: App;
  backup: Backup;
  onRestore: (b: Backup) => void;
  onChanged: () => void;
}) {
  const drill = createAction(drillBackup);
  const protect = createAction(setProtected);
  const del = createAction(deleteBackup);
  const [confirming, setConfirming] = createSignal(false);
  const done = () => props.backup.status === "ok";
  const after = async (p: Promise<unknown>) => {
    await p;
    props.onChanged();
  };
  return (
    <div class="row-actions">
      <Show when={done()}>
        <Button onClick={() => props.onRestore(props.backup)}>Restore…</Button>
        <Button
          busy={drill.pending() || props.backup.verified?.status === "running"}
          busyLabel="Drilling…"
          onClick={() => void after(drill.run(props.app.id, props.backup.id))}
        >
          Drill
        </Button>
        <Button
          busy={protect.pending()}
          onClick={() => void after(protect.run(props.app.id, props.backup.id, !props.backup.protected))}
        >
          {props.backup.protected ? "Unprotect" : "Protect"}
        </Button>
      </Show>
      <Show when={props.backup.status !== "running" && !props.backup.protected}>
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Delete
        </Button>
      </Show>
      <ErrorMessage error={drill.error() ?? protect.error()} />
      <Show when={confirming()}>
        <ConfirmDialog
          title="Delete this backup?"
          confirmLabel="Delete backup"
          busyLabel="Deleting…"
          busy={del.pending()}
          error={del.error()}
          onCancel={() => setConfirming(false)}
          onConfirm={async () => {
            await del.run(props.app.id, props.backup.id);
            if (!del.error()) {
              setConfirming(false);
              props.onChanged();
            }
          }}
        >
          <p>
            {props.backup.volid ?? "The failed backup's record"} is removed from {props.backup.storage}. This
            cannot be undone.
          </p>
        </ConfirmDialog>
      </Show>
    </div>
  );
}
