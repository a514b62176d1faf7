import type { Inventory, Node } from "@pylon/shared";
import { For, Show } from "solid-js";
import type { PowerAction } from "../../api/actions.ts";
import { Badge } from "../../components/Badge.tsx";
import { formatBytes } from "../../lib/format.ts";
import { PowerButtons } from "./PowerButtons.tsx";

type Guest = Inventory["guests"][number];

/** The actions that make sense for a guest in its state; none for templates. */
export function powerActionsFor(g: Guest): PowerAction[] {
  if (g.template) return [];
  return g.status === "running" ? ["shutdown", "reboot", "stop"] : ["start"];
}

interface GuestTableProps {
  node: Node;
  guests: Guest[];
  /** Operators and admins may power guests. */
  canPower: boolean;
}

/** Containers and VMs on the node, with power buttons for operators. */
export function GuestTable(props: GuestTableProps) {
  return (
    <Show when={props.guests.length > 0} fallback={<p class="empty">No guests on this node.</p>}>
      <div class="table-wrap">
        <table class="guests">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Resources</th>
              <Show when={props.canPower}>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </Show>
            </tr>
          </thead>
          <tbody>
            <For each={props.guests}>
              {(g) => (
                <tr data-vmid={g.vmid}>
                  <td data-label="ID">{g.vmid}</td>
                  <td data-label="Name">
                    <strong>{g.name}</strong>
                  </td>
                  <td data-label="Type">{g.type === "lxc" ? "Container" : "VM"}</td>
                  <td data-label="Status">
                    <Badge tone={g.status === "running" ? "good" : "neutral"}>{g.status}</Badge>
                    <Show when={g.template}>
                      <Badge>template</Badge>
                    </Show>
                    <Show when={g.lock}>{(l) => <Badge tone="warn">locked: {l()}</Badge>}</Show>
                  </td>
                  <td data-label="Resources" class="small">
                    {g.cpus} CPU · {formatBytes(g.maxmem)} RAM · {formatBytes(g.maxdisk)} disk
                  </td>
                  <Show when={props.canPower}>
                    <td class="row-actions">
                      <PowerButtons nodeId={props.node.id} guest={g} actions={powerActionsFor(g)} />
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
