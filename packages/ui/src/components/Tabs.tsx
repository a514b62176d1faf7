import { createSignal, createUniqueId, For, type JSX, Show } from "solid-js";

export interface Tab {
  id: string;
  label: string;
  content: () => JSX.Element;
}

/** Tabs in the ARIA pattern: arrow keys move between them, only the chosen panel is rendered. */
export function Tabs(props: { label: string; tabs: Tab[]; initial?: string }) {
  const base = createUniqueId();
  const [current, setCurrent] = createSignal(props.initial ?? props.tabs[0]?.id ?? "");
  const chosen = () => props.tabs.find((t) => t.id === current()) ?? props.tabs[0];
  const onKey = (e: KeyboardEvent) => {
    const i = props.tabs.findIndex((t) => t.id === chosen()?.id);
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = props.tabs[(i + step + props.tabs.length) % props.tabs.length];
    if (!next) return;
    setCurrent(next.id);
    document.getElementById(`${base}-${next.id}`)?.focus();
  };
  return (
    <div class="tabs">
      <div class="tab-list" role="tablist" aria-label={props.label} onKeyDown={onKey}>
        <For each={props.tabs}>
          {(t) => (
            <button
              type="button"
              role="tab"
              id={`${base}-${t.id}`}
              class="tab"
              aria-selected={chosen()?.id === t.id}
              aria-controls={`${base}-panel`}
              tabIndex={chosen()?.id === t.id ? 0 : -1}
              onClick={() => setCurrent(t.id)}
            >
              {t.label}
            </button>
          )}
        </For>
      </div>
      <div class="tab-panel" role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-${chosen()?.id}`}>
        <Show when={chosen()} keyed>
          {(t) => t.content()}
        </Show>
      </div>
    </div>
  );
}
