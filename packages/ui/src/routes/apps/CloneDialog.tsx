import type { App } from "@pylon/shared";
import { createSignal } from "solid-js";
import { createAction } from "../../api/action.ts";
import { cloneApp } from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { Dialog } from "../../components/Dialog.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";
import { navigate } from "../../router/router.tsx";

/** Clones the app (guest, data and settings) under a new name, then opens the copy. */
export function CloneDialog(props: { app: App; onClose: () => void }) {
  const [name, setName] = createSignal(`${props.app.name}-copy`.slice(0, 63));
  const clone = createAction(cloneApp);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const copy = await clone.run(props.app.id, name().trim());
    if (copy) navigate(`/apps/${copy.id}`);
  };
  return (
    <Dialog title={`Clone “${props.app.name}”`} onClose={props.onClose}>
      <form onSubmit={submit} novalidate>
        <div class="dialog-body">
          <p>A new app with a copy of this one's guest, data and settings, on the same node.</p>
          <Field
            label="Name of the copy"
            name="name"
            required
            autocomplete="off"
            data-autofocus
            hint="Lower-case letters, digits and hyphens; also its host name."
            value={name()}
            onValue={setName}
            error={clone.error()?.field("name")}
          />
        </div>
        <ErrorMessage error={clone.error()} fields={["name"]} />
        <div class="actions">
          <Button onClick={() => props.onClose()}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            busy={clone.pending()}
            busyLabel="Cloning…"
            disabled={!name().trim()}
          >
            Clone
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
