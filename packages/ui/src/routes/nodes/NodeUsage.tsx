import type { NodeMetrics } from "@pylon/shared";
import { Show } from "solid-js";
import { UsageBar } from "../../components/UsageBar.tsx";
import { formatBytes } from "../../lib/format.ts";

/** CPU, memory and storage bars from a node's latest heartbeat; a dash before the first one. */
export function NodeUsage(props: { metrics: NodeMetrics | null }) {
  return (
    <Show when={props.metrics} fallback={<span class="muted">no figures yet</span>}>
      {(m) => (
        <div class="usage-group">
          <UsageBar
            label="CPU"
            ratio={m().cpu}
            detail={`${Math.round(m().cpu * 100)} % of ${m().cpus} CPUs`}
          />
          <UsageBar
            label="Memory"
            ratio={m().memTotal ? m().memUsed / m().memTotal : 0}
            detail={`${formatBytes(m().memUsed)} of ${formatBytes(m().memTotal)}`}
          />
          <UsageBar
            label="Storage"
            ratio={m().diskTotal ? m().diskUsed / m().diskTotal : 0}
            detail={`${formatBytes(m().diskUsed)} of ${formatBytes(m().diskTotal)}`}
          />
        </div>
      )}
    </Show>
  );
}
