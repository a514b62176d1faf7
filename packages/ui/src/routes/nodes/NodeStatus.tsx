import type { Node } from "@pylon/shared";
import { Show } from "solid-js";
import { Badge } from "../../components/Badge.tsx";

const LABEL: Record<Node["status"], string> = {
  pending: "waiting for the agent",
  online: "online",
  offline: "offline",
  revoked: "revoked",
};

/** A node's state as a coloured dot and words (never colour alone), plus the simulated badge. */
export function NodeStatus(props: { node: Pick<Node, "status" | "simulated"> }) {
  return (
    <span class="node-status">
      <span class={`dot dot-${props.node.status}`} aria-hidden="true" />
      <span data-testid="node-status">{LABEL[props.node.status]}</span>
      <Show when={props.node.simulated}>
        <SimulatedBadge />
      </Show>
    </span>
  );
}

/** Marks a node backed by the Proxmox simulator, wherever the node appears. */
export function SimulatedBadge() {
  return (
    <span title="Backed by Pylon's Proxmox simulator, not a real host">
      <Badge tone="accent">Simulated</Badge>
    </span>
  );
}
