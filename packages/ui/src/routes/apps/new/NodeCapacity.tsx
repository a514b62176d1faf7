import { Show } from "solid-js";
import type { NodeDetail } from "../../../api/queries.ts";
import { formatBytes } from "../../../lib/format.ts";

/** What the chosen node has free: CPUs, memory (last heartbeat) and the chosen storage (inventory). */
export function NodeCapacity(props: { node: NodeDetail | undefined; loading: boolean; storage: string }) {
  const store = () => props.node?.inventory?.storages.find((s) => s.storage === props.storage);
  return (
    <div class="capacity" aria-live="polite">
      <Show
        when={props.node}
        fallback={<p class="muted small">{props.loading ? "Reading the node…" : ""}</p>}
      >
        {(n) => (
          <p class="small" data-testid="capacity">
            <strong>{n().name} has free:</strong>{" "}
            <Show
              when={n().metrics}
              fallback={<span class="muted">no figures yet (agent not reporting)</span>}
            >
              {(m) => (
                <>
                  {m().cpus} CPU cores · {formatBytes(m().memTotal - m().memUsed)} memory
                </>
              )}
            </Show>
            <Show when={store()}>
              {(s) => (
                <>
                  {" "}
                  · {formatBytes(s().avail)} on {s().storage}
                </>
              )}
            </Show>
          </p>
        )}
      </Show>
    </div>
  );
}
