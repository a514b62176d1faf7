import type { App } from "@pylon/shared";
import { createSignal, Show } from "solid-js";
import { createAction } from "../../../api/action.ts";
import { type Backup, restoreAsNew, restoreInPlace } from "../../../api/backups.ts";
import { Button } from "../../../components/Button.tsx";
import { Dialog } from "../../../components/Dialog.tsx";
import { ErrorMessage } from "../../../components/ErrorMessage.tsx";
import { Field } from "../../../components/Field.tsx";
import { formatDateTime } from "../../../lib/format.ts";
import { navigate } from "../../../router/router.tsx";

/** Restores a backup here (the app replaced by it) or as a new app, then shows the restore. */
export function RestoreDialog(props: {
  app: App;
  backup: Backup;
  onClose: () => void;
  onRestored: (a: App) => void;
}) {
  const [target, setTarget] = createSignal<"in-place" | "new">("in-place");
  const [name, setName] = createSignal(`${props.app.name}-restored`.slice(0, 63));
  const here = createAction(restoreInPlace);
  const asNew = createAction(restoreAsNew);
  const error = () => (target() === "new" ? asNew.error() : here.error());
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (target() === "new") {
      const copy = await asNew.run(props.app.id, props.backup.id, name().trim());
      if (copy) navigate(`/apps/${copy.id}`);
      return;
    }
    const app = await here.run(props.app.id, props.backup.id);
    if (app) {
      props.onRestored(app);
      props.onClose();
    }
  };
  return (
    <Dialog title={`Restore the backup of ${formatDateTime(props.backup.takenAt)}`} onClose={props.onClose}>
      <form onSubmit={submit} novalidate>
        <div class="dialog-body">
          <fieldset class="choice">
            <legend>Restore</legend>
            <label>
              <input
                type="radio"
                name="target"
                checked={target() === "in-place"}
                onChange={() => setTarget("in-place")}
              />{" "}
              Here: replace “{props.app.name}” with the backup
            </label>
            <label>
              <input
                type="radio"
                name="target"
                checked={target() === "new"}
                onChange={() => setTarget("new")}
              />{" "}
              As a new app
            </label>
          </fieldset>
          <Show
            when={target() === "new"}
            fallback={
              <p>
                The backup is restored into a new guest that runs the app as it was then (code, settings,
                data) and takes over its address; name, ports and webhook stay. The current guest is removed
                only after that, so if the restore fails the app keeps running as it is.
              </p>
            }
          >
            <p>A new app with the backup's data and settings, its own name, address and ports.</p>
            <Field
              label="Name of the new app"
              name="name"
              required
              autocomplete="off"
              value={name()}
              onValue={setName}
              error={asNew.error()?.field("name")}
            />
          </Show>
        </div>
        <ErrorMessage error={error()} fields={["name"]} />
        <div class="actions">
          <Button onClick={() => props.onClose()}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            busy={here.pending() || asNew.pending()}
            busyLabel="Starting…"
            disabled={target() === "new" && !name().trim()}
          >
            {target() === "new" ? "Restore as new app" : "Restore here"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
