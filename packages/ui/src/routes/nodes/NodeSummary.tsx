import { Show } from "solid-js";
import type { NodeDetail } from "../../api/queries.ts";
import { Time } from "../../components/Time.tsx";
import { formatDuration } from "../../lib/format.ts";
import { AgentUpdate } from "./AgentUpdate.tsx";
import { NodeStatus } from "./NodeStatus.tsx";
import { NodeUsage } from "./NodeUsage.tsx";

/** What the node is and how it is doing now (admins may update the agent from here). */
export function NodeSummary(props: { node: NodeDetail; canUpdateAgent?: boolean; onChanged?: () => void }) {
  return (
    <section class="card" aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <div class="summary">
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <NodeStatus node={props.node} />
          </dd>
          <dt>Host</dt>
          <dd>{props.node.hostName ?? "—"}</dd>
          <dt>Proxmox VE</dt>
          <dd>{props.node.pveVersion ?? "—"}</dd>
          <dt>Agent</dt>
          <dd>
            <AgentUpdate
              node={props.node}
              canUpdate={props.canUpdateAgent ?? false}
              onChanged={() => props.onChanged?.()}
            />
          </dd>
          <dt>Last seen</dt>
          <dd>
            <Time at={props.node.lastSeenAt} />
          </dd>
          <dt>Uptime</dt>
          <dd>
            <Show when={props.node.metrics} fallback="—">
              {(m) => formatDuration(m().uptime)}
            </Show>
          </dd>
          <dt>Load</dt>
          <dd>{props.node.metrics?.loadavg.map((l) => l.toFixed(2)).join(" · ") || "—"}</dd>
          <dt>Enrolled</dt>
          <dd>
            <Time at={props.node.enrolledAt} never="not yet" />
          </dd>
        </dl>
        <NodeUsage metrics={props.node.metrics} />
      </div>
    </section>
  );
}
