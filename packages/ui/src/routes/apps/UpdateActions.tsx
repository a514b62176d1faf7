import type { App } from "@pylon/shared";
import { Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { checkAppUpdate, updateAppVersion } from "../../api/actions.ts";
import { isBusy } from "../../api/app-values.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";

/**
 * Operators, catalog apps: check for a newer catalog version, and update to it. The update runs as
 * the app's job, so the Activity tab follows its events live (snapshot, redeploy, health, or the
 * rollback and why).
 */
export function UpdateActions(props: { app: App; onChanged: () => void; onUpdating: (a: App) => void }) {
  const check = createAction(checkAppUpdate);
  const update = createAction(updateAppVersion);
  const available = () => props.app.update?.available ?? null;
  return (
    <Show when={props.app.update}>
      <section class="card app-updates" aria-label="Updates">
        <div class="actions start">
          <Button
            onClick={async () => {
              if (await check.run(props.app.id)) props.onChanged();
            }}
            busy={check.pending()}
            busyLabel="Checking…"
            disabled={update.pending()}
          >
            Check for updates
          </Button>
          <Show when={available()}>
            {(v) => (
              <Button
                variant="primary"
                onClick={async () => {
                  const a = await update.run(props.app.id);
                  if (a) props.onUpdating(a);
                }}
                busy={update.pending()}
                busyLabel="Updating…"
                disabled={isBusy(props.app.status) || props.app.guest.vmid === null}
              >
                Update to {v()}
              </Button>
            )}
          </Show>
          <Show when={props.app.update?.checkedAt && !available()}>
            <span class="muted small">Up to date ({props.app.update?.current})</span>
          </Show>
        </div>
        <ErrorMessage error={check.error() ?? update.error()} />
      </section>
    </Show>
  );
}
