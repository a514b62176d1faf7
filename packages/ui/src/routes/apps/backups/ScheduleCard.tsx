import type { App } from "@pylon/shared";
import { createResource, createSignal, For, Show } from "solid-js";
import { createAction } from "../../../api/action.ts";
import {
  addSchedule,
  changeSchedule,
  listSchedules,
  removeSchedule,
  type ScheduleKind,
} from "../../../api/schedules.ts";
import { Async } from "../../../components/Async.tsx";
import { Badge } from "../../../components/Badge.tsx";
import { Button } from "../../../components/Button.tsx";
import { ErrorMessage } from "../../../components/ErrorMessage.tsx";
import { Field } from "../../../components/Field.tsx";
import { SelectField } from "../../../components/SelectField.tsx";
import { Time } from "../../../components/Time.tsx";
import { ScheduleRuns } from "./ScheduleRuns.tsx";

const KIND_LABEL: Record<ScheduleKind, string> = {
  backup: "Backup",
  drill: "Restore drill (newest backup)",
  "update-check": "Update check",
};

/**
 * The app's schedules (backups and drills run by the node's agent, also while Pylon is down;
 * update checks by Pylon itself), next runs, and the latest runs.
 */
export function ScheduleCard(props: { app: App; canOperate: boolean }) {
  const [list, { refetch }] = createResource(() => props.app.id, listSchedules);
  const [kind, setKind] = createSignal<ScheduleKind>("backup");
  const [cron, setCron] = createSignal("0 3 * * *");
  const add = createAction(addSchedule);
  const change = createAction(changeSchedule);
  const remove = createAction(removeSchedule);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (await add.run(props.app.id, kind(), cron())) void refetch();
  };
  const toggle = async (id: string, enabled: boolean) => {
    if (await change.run(props.app.id, id, { enabled })) void refetch();
  };
  const drop = async (id: string) => {
    await remove.run(props.app.id, id);
    void refetch();
  };
  return (
    <section class="card" aria-labelledby="schedules-title">
      <h2 id="schedules-title">Schedules</h2>
      <p class="muted">
        Run by the node's agent, also while Pylon is unreachable; runs arrive when it is back, and runs missed
        while the agent was down are listed as missed (update checks are run by Pylon itself). Cron in UTC: 5
        fields, or 6 with seconds first.
      </p>
      <Async resource={list} onRetry={refetch} what="the app's schedules">
        {(l) => (
          <>
            <table class="schedules">
              <thead>
                <tr>
                  <th>What</th>
                  <th>Cron</th>
                  <th>Next runs</th>
                  <th>
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={l().items}>
                  {(s) => (
                    <tr data-schedule={s.kind}>
                      <td>{KIND_LABEL[s.kind]}</td>
                      <td>
                        <code>{s.cron}</code>
                      </td>
                      <td>
                        <Show when={s.enabled} fallback={<Badge>off</Badge>}>
                          <For each={s.nextRuns}>
                            {(t) => (
                              <span class="next-run">
                                <Time at={t} />{" "}
                              </span>
                            )}
                          </For>
                        </Show>
                      </td>
                      <td class="actions">
                        <Show when={props.canOperate}>
                          <Button onClick={() => void toggle(s.id, !s.enabled)}>
                            {s.enabled ? "Pause" : "Resume"}
                          </Button>
                          <Button variant="danger" onClick={() => void drop(s.id)}>
                            Remove
                          </Button>
                        </Show>
                      </td>
                    </tr>
                  )}
                </For>
                <Show when={l().nodeDefault}>
                  {(d) => (
                    <tr data-schedule="node-default">
                      <td>Backup (node default{d().applies ? "" : ", not used: the app has its own"})</td>
                      <td>
                        <code>{d().cron}</code>
                      </td>
                      <td>
                        <Show when={d().applies}>
                          <For each={d().nextRuns}>
                            {(t) => (
                              <span class="next-run">
                                <Time at={t} />{" "}
                              </span>
                            )}
                          </For>
                        </Show>
                      </td>
                      <td />
                    </tr>
                  )}
                </Show>
              </tbody>
            </table>
            <Show when={!l().items.length && !l().nodeDefault}>
              <p class="muted">No schedules: backups run only when started.</p>
            </Show>
            <ScheduleRuns runs={l().runs} />
          </>
        )}
      </Async>
      <Show when={props.canOperate}>
        <form class="inline-form" onSubmit={submit}>
          <SelectField
            label="Schedule"
            name="schedule-kind"
            value={kind()}
            onValue={(v) => setKind(v as ScheduleKind)}
            options={[
              { value: "backup", label: KIND_LABEL.backup },
              { value: "drill", label: KIND_LABEL.drill },
              // Catalog apps only: an update check compares with the catalog's current version.
              ...(props.app.source.type === "catalog"
                ? [{ value: "update-check", label: KIND_LABEL["update-check"] }]
                : []),
            ]}
          />
          <Field
            label="Cron"
            name="cron"
            value={cron()}
            onValue={setCron}
            error={add.error()?.field("cron")}
          />
          <Button type="submit" variant="primary" busy={add.pending()} busyLabel="Adding…">
            Add schedule
          </Button>
        </form>
      </Show>
      <ErrorMessage error={add.error() ?? change.error() ?? remove.error()} fields={["cron"]} />
    </section>
  );
}
