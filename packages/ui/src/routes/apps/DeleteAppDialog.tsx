import type { App } from "@pylon/shared";
import { createSignal } from "solid-js";
import { createAction } from "../../api/action.ts";
import { deleteApp } from "../../api/actions.ts";
import { TypeToConfirmDialog } from "../../components/TypeToConfirmDialog.tsx";

/** Asks for the app's name before destroying its guest; backups can be kept. */
export function DeleteAppDialog(props: { app: App; onClose: () => void; onDone: (a: App) => void }) {
  const [keepBackups, setKeepBackups] = createSignal(false);
  const remove = createAction(deleteApp);
  const confirm = async () => {
    const a = await remove.run(props.app.id, keepBackups());
    if (a) props.onDone(a);
  };
  return (
    <TypeToConfirmDialog
      title={`Delete app “${props.app.name}”?`}
      name={props.app.name}
      confirmLabel="Delete app"
      busyLabel="Deleting…"
      busy={remove.pending()}
      error={remove.error()}
      onConfirm={() => void confirm()}
      onCancel={props.onClose}
    >
      <p>
        The guest of <strong>{props.app.name}</strong> is destroyed with its data, its route is removed and
        its URL stops answering. This cannot be undone.
      </p>
      <label class="check">
        <input
          type="checkbox"
          name="keepBackups"
          checked={keepBackups()}
          onChange={(e) => setKeepBackups(e.currentTarget.checked)}
        />
        <span>Keep the app's backups</span>
      </label>
    </TypeToConfirmDialog>
  );
}
