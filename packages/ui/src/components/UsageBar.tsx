import { Show } from "solid-js";
import { formatPercent } from "../lib/format.ts";

/** A labelled bar for a used/total figure (CPU, memory, storage); warns above 80 %, alarms above 95 %. */
export function UsageBar(props: { label: string; ratio: number; detail?: string }) {
  const ratio = () => Math.min(1, Math.max(0, Number.isFinite(props.ratio) ? props.ratio : 0));
  const tone = () => (ratio() >= 0.95 ? "bad" : ratio() >= 0.8 ? "warn" : "good");
  return (
    <div class="usage" title={props.detail}>
      <div class="usage-head">
        <span>{props.label}</span>
        <span class="muted">
          {formatPercent(ratio())}
          <Show when={props.detail}>
            <span class="visually-hidden"> ({props.detail})</span>
          </Show>
        </span>
      </div>
      <div class={`usage-bar usage-${tone()}`} aria-hidden="true">
        <span style={{ width: `${ratio() * 100}%` }} />
      </div>
    </div>
  );
}
