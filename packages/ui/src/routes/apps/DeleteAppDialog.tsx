import type { App } from "@pylon/shared";
import { createSignal } from "solid-js";
import { createAction } from "../../api/action.ts";
import { deleteApp } from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { Dialog } from "../../components/Dialog.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";

/** Asks for the app's name before destroying its guest; backups can be kept. */
export function DeleteAppDialog(props: { app: App; onClose: () => void; onDone: (a: App) => void }) {
  const [typed, setTyped] = createSignal("");
  const [keepBackups, setKeepBackups] = createSignal(false);
  const remove = createAction(deleteApp);
  const matches = () => typed().trim() === props.app.name;
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (!matches()) return;
    const a = await remove.run(props.app.id, keepBackups());
    if (a) props.onDone(a);
  };
  return (
    <Dialog title={`Delete app “${props.app.name}”?`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <div class="dialog-body">
          <p>
            The guest of <strong>{props.app.name}</strong> is destroyed with its data, its route is removed
            and its URL stops answering. This cannot be undone.
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
          <Field
            label={`Type ${props.app.name} to confirm`}
            value={typed()}
            onValue={setTyped}
            autocomplete="off"
            spellcheck={false}
          />
        </div>
        <ErrorMessage error={remove.error()} />
        <div class="actions">
          <Button onClick={() => props.onClose()} data-autofocus>
            Cancel
          </Button>
          <Button
            type="submit"
            variant="danger"
            disabled={!matches()}
            busy={remove.pending()}
            busyLabel="Deleting…"
          >
            Delete app
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
