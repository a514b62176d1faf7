import type { App } from "@pylon/shared";
import { createResource, createSignal, For, Show } from "solid-js";
import { createAction } from "../../../api/action.ts";
import { deleteSnapshot, listSnapshots, rollbackSnapshot, takeSnapshot } from "../../../api/backups.ts";
import { Async } from "../../../components/Async.tsx";
import { Badge } from "../../../components/Badge.tsx";
import { Button } from "../../../components/Button.tsx";
import { ConfirmDialog } from "../../../components/ConfirmDialog.tsx";
import { ErrorMessage } from "../../../components/ErrorMessage.tsx";
import { Notice } from "../../../components/Notice.tsx";
import { Time } from "../../../components/Time.tsx";

/** The guest's snapshots: take one, roll back (code and data together), delete; storage limits said plainly. */
export function SnapshotsTab(props: { app: App; canOperate: boolean; onChanged: (a: App) => void }) {
  const [list, { refetch }] = createResource(() => props.app.id, listSnapshots);
  const take = createAction(takeSnapshot);
  const del = createAction(deleteSnapshot);
  const rollback = createAction(rollbackSnapshot);
  const [confirm, setConfirm] = createSignal<string | null>(null);
  const later = () => setTimeout(() => void refetch(), 1500);
  return (
    <section class="card" aria-labelledby="snapshots-title">
      <div class="card-head">
        <h2 id="snapshots-title">Snapshots</h2>
        <button type="button" class="btn btn-secondary" onClick={() => void refetch()}>
          Refresh
        </button>
      </div>
      <Async resource={list} onRetry={refetch} what="the snapshots">
        {(l) => (
          <>
            <Show when={!l().supported}>
              <Notice kind="warning">
                No snapshots here: {l().reason}. A failed redeploy cannot be rolled back; restore a backup to
                go back.
              </Notice>
            </Show>
            <Show when={l().latestOnly}>
              <p class="muted">This storage is ZFS: only the newest snapshot can be rolled back to.</p>
            </Show>
            <Show when={props.canOperate && l().supported}>
              <Button
                variant="primary"
                busy={take.pending()}
                busyLabel="Taking…"
                onClick={async () => {
                  if (await take.run(props.app.id)) later();
                }}
              >
                Take snapshot
              </Button>
            </Show>
            <ErrorMessage error={take.error() ?? del.error()} />
            <Show when={l().items.length > 0} fallback={<p class="empty">No snapshots.</p>}>
              <ul class="plain snapshots">
                <For each={[...l().items].reverse()}>
                  {(s) => (
                    <li data-testid={`snapshot-${s.name}`}>
                      <strong>{s.name}</strong> <Time at={s.takenAt} />{" "}
                      <Show when={s.own}>
                        <Badge tone="neutral">Pylon</Badge>
                      </Show>
                      <Show when={s.description}>
                        <span class="small block">{s.description}</span>
                      </Show>
                      <Show when={props.canOperate}>
                        <span class="row-actions">
                          <Show when={s.canRollback}>
                            <Button onClick={() => setConfirm(s.name)}>Roll back</Button>
                          </Show>
                          <Button
                            variant="danger"
                            busy={del.pending()}
                            onClick={async () => {
                              if (await del.run(props.app.id, s.name)) later();
                            }}
                          >
                            Delete
                          </Button>
                        </span>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </>
        )}
      </Async>
      <Show when={confirm()}>
        {(name) => (
          <ConfirmDialog
            title={`Roll back to ${name()}?`}
            confirmLabel="Roll back"
            busyLabel="Starting…"
            busy={rollback.pending()}
            error={rollback.error()}
            onCancel={() => setConfirm(null)}
            onConfirm={async () => {
              const a = await rollback.run(props.app.id, name());
              if (a) {
                setConfirm(null);
                props.onChanged(a);
              }
            }}
          >
            <p>
              The guest restarts as it was then: code and data together. Everything written since is lost. Its
              address, ports and route stay.
            </p>
          </ConfirmDialog>
        )}
      </Show>
    </section>
  );
}
