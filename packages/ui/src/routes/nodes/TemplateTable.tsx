import type { Inventory } from "@pylon/shared";
import { For, Show } from "solid-js";
import { formatBytes } from "../../lib/format.ts";

/** Container templates downloaded on the node. */
export function TemplateTable(props: { templates: Inventory["templates"] }) {
  return (
    <Show when={props.templates.length > 0} fallback={<p class="empty">No templates on this node.</p>}>
      <div class="table-wrap">
        <table class="templates">
          <thead>
            <tr>
              <th scope="col">Template</th>
              <th scope="col">Size</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.templates}>
              {(t) => (
                <tr>
                  <td data-label="Template">
                    <code>{t.volid}</code>
                  </td>
                  <td data-label="Size">{formatBytes(t.size)}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
