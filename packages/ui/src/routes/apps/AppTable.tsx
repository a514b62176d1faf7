import type { App, Node } from "@pylon/shared";
import { For, Show } from "solid-js";
import { Time } from "../../components/Time.tsx";
import { Link } from "../../router/router.tsx";
import { AppLink } from "./AppLink.tsx";
import { AppStatusBadge } from "./AppStatusBadge.tsx";
import { UpdateBadge } from "./UpdateBadge.tsx";

/** Apps with their state, URL, node and guest. */
export function AppTable(props: { apps: App[]; nodes: Node[] }) {
  const nodeName = (id: string) => props.nodes.find((n) => n.id === id)?.name ?? id;
  return (
    <div class="table-wrap">
      <table class="apps">
        <thead>
          <tr>
            <th scope="col">App</th>
            <th scope="col">Status</th>
            <th scope="col">URL</th>
            <th scope="col">Node</th>
            <th scope="col">Guest</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.apps}>
            {(a) => (
              <tr data-app={a.name}>
                <td data-label="App">
                  <Link href={`/apps/${a.id}`}>
                    <strong>{a.name}</strong>
                  </Link>
                  <div class="muted small">
                    {a.source.type === "catalog" ? `${a.source.name} ${a.source.version}` : "from Git"}
                  </div>
                  <UpdateBadge app={a} />
                </td>
                <td data-label="Status">
                  <AppStatusBadge status={a.status} />
                </td>
                <td data-label="URL">
                  <AppLink url={a.url} />
                </td>
                <td data-label="Node">
                  <Link href={`/nodes/${a.nodeId}`}>{nodeName(a.nodeId)}</Link>
                </td>
                <td data-label="Guest" class="small">
                  {a.guest.type === "lxc" ? "LXC" : "VM"}
                  <Show when={a.guest.vmid}>{(v) => <> {v()}</>}</Show>
                </td>
                <td data-label="Updated">
                  <Time at={a.updatedAt} />
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}
