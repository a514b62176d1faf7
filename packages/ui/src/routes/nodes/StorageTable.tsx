import type { Inventory } from "@pylon/shared";
import { For, Show } from "solid-js";
import { Badge } from "../../components/Badge.tsx";
import { UsageBar } from "../../components/UsageBar.tsx";
import { formatBytes } from "../../lib/format.ts";

/** The node's storages with what they hold and how full they are. */
export function StorageTable(props: { storages: Inventory["storages"] }) {
  return (
    <Show when={props.storages.length > 0} fallback={<p class="empty">No storages reported.</p>}>
      <div class="table-wrap">
        <table class="storages">
          <thead>
            <tr>
              <th scope="col">Storage</th>
              <th scope="col">Type</th>
              <th scope="col">Content</th>
              <th scope="col">Usage</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.storages}>
              {(s) => (
                <tr>
                  <td data-label="Storage">
                    <strong>{s.storage}</strong>
                    <Show when={!s.active}>
                      <Badge tone="warn">inactive</Badge>
                    </Show>
                  </td>
                  <td data-label="Type">{s.type}</td>
                  <td data-label="Content" class="small">
                    {s.content.join(", ") || "—"}
                  </td>
                  <td data-label="Usage" class="usage-cell">
                    <UsageBar
                      label={`${formatBytes(s.used)} of ${formatBytes(s.total)}`}
                      ratio={s.total ? s.used / s.total : 0}
                      detail={`${formatBytes(s.avail)} free`}
                    />
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
