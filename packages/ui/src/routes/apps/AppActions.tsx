import type { App } from "@pylon/shared";
import { createSignal, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { type AppActionName, runAppAction } from "../../api/actions.ts";
import { isBusy } from "../../api/app-values.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { flash } from "../../lib/flash.ts";
import { navigate } from "../../router/router.tsx";
import { CloneDialog } from "./CloneDialog.tsx";
import { DeleteAppDialog } from "./DeleteAppDialog.tsx";
import { ResizeDialog } from "./ResizeDialog.tsx";

const BUSY_LABEL: Record<AppActionName, string> = {
  start: "Starting…",
  stop: "Stopping…",
  restart: "Restarting…",
  redeploy: "Redeploying…",
};

/** Operators: start, stop, restart, redeploy, clone, resize, delete. Busy apps accept none. */
export function AppActions(props: { app: App; onChanged: (a: App) => void }) {
  const action = createAction(runAppAction);
  const [running, setRunning] = createSignal<AppActionName | null>(null);
  const [dialog, setDialog] = createSignal<"clone" | "resize" | "delete" | null>(null);
  const busy = () => isBusy(props.app.status);
  const hasGuest = () => props.app.guest.vmid !== null;
  const run = async (name: AppActionName) => {
    setRunning(name);
    const a = await action.run(props.app.id, name);
    setRunning(null);
    if (a) props.onChanged(a);
  };
  const Act = (p: { name: AppActionName; label: string; show: boolean }) => (
    <Show when={p.show}>
      <Button
        onClick={() => void run(p.name)}
        disabled={busy() || (action.pending() && running() !== p.name)}
        busy={running() === p.name}
        busyLabel={BUSY_LABEL[p.name]}
      >
        {p.label}
      </Button>
    </Show>
  );
  const status = () => props.app.status;
  return (
    <section class="card app-actions" aria-label="App actions">
      <div class="actions start">
        <Act
          name="start"
          label="Start"
          show={hasGuest() && (status() === "stopped" || status() === "failed")}
        />
        <Act name="stop" label="Stop" show={hasGuest() && status() === "running"} />
        <Act name="restart" label="Restart" show={hasGuest() && status() === "running"} />
        <Act name="redeploy" label="Redeploy" show={status() !== "deleting"} />
        {/* The API clones only a guest that exists and is not busy. */}
        <Button onClick={() => setDialog("clone")} disabled={busy() || !hasGuest()}>
          Clone
        </Button>
        <Button onClick={() => setDialog("resize")} disabled={busy() || !hasGuest()}>
          Resize
        </Button>
        <Button variant="danger" onClick={() => setDialog("delete")} disabled={status() === "deleting"}>
          Delete
        </Button>
      </div>
      <ErrorMessage error={action.error()} />
      <Show when={dialog() === "clone"}>
        <CloneDialog app={props.app} onClose={() => setDialog(null)} />
      </Show>
      <Show when={dialog() === "resize"}>
        <ResizeDialog
          app={props.app}
          onClose={() => setDialog(null)}
          onDone={(a) => {
            setDialog(null);
            props.onChanged(a);
          }}
        />
      </Show>
      <Show when={dialog() === "delete"}>
        <DeleteAppDialog
          app={props.app}
          onClose={() => setDialog(null)}
          onDone={(a) => {
            // The page of an app being deleted has nothing left to show: the list says how it goes.
            setDialog(null);
            flash({ path: "/apps", kind: "deleting", appId: a.id, appName: a.name });
            navigate("/apps");
          }}
        />
      </Show>
    </section>
  );
}
