import type { App } from "@pylon/shared";
import { createResource, createSignal, Show } from "solid-js";
import { type Backup, listBackups } from "../../../api/backups.ts";
import { getSettings } from "../../../api/queries.ts";
import { Async } from "../../../components/Async.tsx";
import { createPoll } from "../../../lib/poll.ts";
import { BackupNow } from "./BackupNow.tsx";
import { BackupTable } from "./BackupTable.tsx";
import { RestoreDialog } from "./RestoreDialog.tsx";
import { RetentionCard } from "./RetentionCard.tsx";
import { ScheduleCard } from "./ScheduleCard.tsx";

/** The app's backups: back up now, the list with its actions, retention with a dry run. */
export function BackupsTab(props: { app: App; canOperate: boolean; onChanged: (a: App) => void }) {
  const [list, { refetch }] = createResource(() => props.app.id, listBackups);
  const [restoring, setRestoring] = createSignal<Backup | null>(null);
  // Under AUTO the retention details are Pylon's (Settings → Automation); PRO shows the editor.
  const [settings] = createResource(() => getSettings().catch(() => null));
  const auto = () => settings.latest?.automation === "auto";
  // While a backup, a drill or a change is in flight, the list is read again every 2 s.
  createPoll(
    () => void refetch(),
    () => {
      const items = list.latest?.items ?? [];
      return items.some((b) => b.status === "running" || b.verified?.status === "running") ? 2000 : 30_000;
    },
  );
  return (
    <>
      <Async resource={list} onRetry={refetch} what="the app's backups">
        {(l) => (
          <>
            <Show when={props.canOperate}>
              <BackupNow app={props.app} list={l()} onQueued={() => void refetch()} />
            </Show>
            <section class="card" aria-labelledby="backups-title">
              <div class="card-head">
                <h2 id="backups-title">Backups</h2>
                <button type="button" class="btn btn-secondary" onClick={() => void refetch()}>
                  Refresh
                </button>
              </div>
              <BackupTable
                app={props.app}
                backups={l().items}
                canOperate={props.canOperate}
                onRestore={setRestoring}
                onChanged={() => void refetch()}
              />
            </section>
            <Show
              when={!auto()}
              fallback={
                <section class="card" aria-labelledby="retention-auto-title" data-testid="retention-auto">
                  <h2 id="retention-auto-title">Retention</h2>
                  <p class="hint">
                    Automatic: backed up daily, keeping 7 daily, 4 weekly and 3 monthly backups, with a weekly
                    restore drill. Choose PRO in Settings to set retention and schedules yourself.
                  </p>
                </section>
              }
            >
              <RetentionCard
                app={props.app}
                list={l()}
                canOperate={props.canOperate}
                onSaved={() => void refetch()}
              />
              <ScheduleCard app={props.app} canOperate={props.canOperate} />
            </Show>
          </>
        )}
      </Async>
      <Show when={restoring()}>
        {(b) => (
          <RestoreDialog
            app={props.app}
            backup={b()}
            onClose={() => setRestoring(null)}
            onRestored={props.onChanged}
          />
        )}
      </Show>
    </>
  );
}
