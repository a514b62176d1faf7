import type { App } from "@pylon/shared";
import { For, Show } from "solid-js";
import type { Backup } from "../../../api/backups.ts";
import { Badge } from "../../../components/Badge.tsx";
import { Time } from "../../../components/Time.tsx";
import { formatBytes } from "../../../lib/format.ts";
import { Link } from "../../../router/router.tsx";
import { BackupRowActions } from "./BackupRowActions.tsx";

const STATUS_TONE = { running: "accent", ok: "good", failed: "bad" } as const;

/** The drill's verdict on a backup: verified (when), failed (why), running, or never drilled. */
function Verified(props: { backup: Backup }) {
  return (
    <Show when={props.backup.verified} fallback={<span class="muted">not drilled</span>}>
      {(v) => (
        <span title={v().detail ?? undefined}>
          <Badge tone={v().status === "passed" ? "good" : v().status === "failed" ? "bad" : "accent"}>
            {v().status === "passed" ? "verified" : v().status === "failed" ? "drill failed" : "drilling…"}
          </Badge>{" "}
          <Show when={v().at}>
            <Time at={v().at} />
          </Show>
          <Show when={v().status === "failed" && v().detail}>
            <span class="small block">{v().detail}</span>
          </Show>
        </span>
      )}
    </Show>
  );
}

/** The app's backups, newest first, with what can be done with each. */
export function BackupTable(props: {
  app: App;
  backups: Backup[];
  canOperate: boolean;
  onRestore: (b: Backup) => void;
  onChanged: () => void;
}) {
  return (
    <Show when={props.backups.length > 0} fallback={<p class="empty">No backups of this app yet.</p>}>
      <div class="table-wrap">
        <table class="backups">
          <thead>
            <tr>
              <th scope="col">Taken</th>
              <th scope="col">Size</th>
              <th scope="col">Storage</th>
              <th scope="col">Status</th>
              <th scope="col">Verified</th>
              <Show when={props.canOperate}>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </Show>
            </tr>
          </thead>
          <tbody>
            <For each={props.backups}>
              {(b) => (
                <tr data-testid={`backup-${b.id}`}>
                  <td data-label="Taken">
                    <Time at={b.takenAt} />
                    <Show when={b.note}>
                      <span class="small block">{b.note}</span>
                    </Show>
                  </td>
                  <td data-label="Size">{b.sizeBytes === null ? "—" : formatBytes(b.sizeBytes)}</td>
                  <td data-label="Storage">{b.storage}</td>
                  <td data-label="Status">
                    <Badge tone={STATUS_TONE[b.status]}>
                      {b.status === "running" ? "backing up…" : b.status}
                    </Badge>{" "}
                    <Show when={b.protected}>
                      <Badge tone="neutral">protected</Badge>
                    </Show>
                    <Show when={b.error}>
                      <span class="small block">
                        {b.error} (<Link href={`/jobs/${b.jobId}`}>job</Link>)
                      </span>
                    </Show>
                  </td>
                  <td data-label="Verified">
                    <Verified backup={b} />
                  </td>
                  <Show when={props.canOperate}>
                    <td data-label="Actions">
                      <BackupRowActions
                        app={props.app}
                        backup={b}
                        onRestore={props.onRestore}
                        onChanged={props.onChanged}
                      />
                    </td>
                  </Show>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
