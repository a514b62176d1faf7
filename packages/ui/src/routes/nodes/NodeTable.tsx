import type { Node } from "@pylon/shared";
import { For, Show } from "solid-js";
import { Time } from "../../components/Time.tsx";
import { Link } from "../../router/router.tsx";
import { NodeStatus } from "./NodeStatus.tsx";
import { NodeUsage } from "./NodeUsage.tsx";

/** Nodes with their state, usage bars, last contact and versions. */
export function NodeTable(props: { nodes: Node[]; canAdd?: boolean }) {
  return (
    <Show
      when={props.nodes.length > 0}
      fallback={
        <p class="empty">
          No nodes yet.{" "}
          {props.canAdd
            ? "Add node gives you a command that installs the agent on a Proxmox VE host; the node appears here when it connects."
            : "An admin adds them: Proxmox VE hosts running the Pylon agent."}
        </p>
      }
    >
      <div class="table-wrap">
        <table class="nodes">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Status</th>
              <th scope="col">Usage</th>
              <th scope="col">Guests</th>
              <th scope="col">Last seen</th>
              <th scope="col">Versions</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.nodes}>
              {(n) => (
                <tr data-node={n.name}>
                  <td data-label="Node">
                    <Link href={`/nodes/${n.id}`}>
                      <strong>{n.name}</strong>
                    </Link>
                    <Show when={n.hostName && n.hostName !== n.name}>
                      <div class="muted small">{n.hostName}</div>
                    </Show>
                  </td>
                  <td data-label="Status">
                    <NodeStatus node={n} />
                  </td>
                  <td data-label="Usage" class="usage-cell">
                    <NodeUsage metrics={n.metrics} />
                  </td>
                  <td data-label="Guests">{n.guestCount ?? "—"}</td>
                  <td data-label="Last seen">
                    <Time at={n.lastSeenAt} />
                  </td>
                  <td data-label="Versions" class="small">
                    <div>Agent {n.agentVersion ?? "—"}</div>
                    <div class="muted">PVE {n.pveVersion ?? "—"}</div>
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
