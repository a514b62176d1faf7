import type { AuditEntry, User } from "@pylon/shared";
import { For, Show } from "solid-js";
import { Badge } from "../../components/Badge.tsx";
import { formatDateTime } from "../../lib/format.ts";

function actor(e: AuditEntry): string {
  const who = e.actorName ?? e.actorId ?? "";
  return e.actorType === "user" ? who || "a user" : `${e.actorType}${who ? ` ${who}` : ""}`;
}

/** The audit entries as a table (stacked cards at phone width); user ids show their names. */
export function AuditTable(props: { entries: AuditEntry[]; users: User[] }) {
  const nameOf = (target: string) => props.users.find((u) => u.id === target)?.name;
  return (
    <Show when={props.entries.length > 0} fallback={<p class="empty">No entries match.</p>}>
      <div class="table-wrap">
        <table class="audit">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Result</th>
              <th scope="col">IP</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.entries}>
              {(e) => (
                <tr>
                  <td data-label="Time">
                    <time datetime={e.at}>{formatDateTime(e.at)}</time>
                  </td>
                  <td data-label="Actor">{actor(e)}</td>
                  <td data-label="Action">
                    <code>{e.action}</code>
                  </td>
                  <td data-label="Target">
                    <Show when={e.target} fallback="—">
                      {(t) => (
                        <Show when={nameOf(t())} fallback={t()}>
                          {(name) => <span title={t()}>{name()}</span>}
                        </Show>
                      )}
                    </Show>
                  </td>
                  <td data-label="Result">
                    <Badge tone={e.result === "success" ? "good" : "bad"}>
                      {e.result} {e.status}
                    </Badge>
                  </td>
                  <td data-label="IP">{e.ip ?? "—"}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
