import type { App } from "@pylon/shared";
import { For, Show } from "solid-js";
import { APP_STATUS_VALUES } from "../../api/app-values.ts";
import { Link } from "../../router/router.tsx";

/** How many apps are in each state (states with none are left out). */
export function AppCounts(props: { apps: App[]; noNodes?: boolean }) {
  const counts = () =>
    APP_STATUS_VALUES.map((s) => ({ status: s, n: props.apps.filter((a) => a.status === s).length })).filter(
      (c) => c.n > 0,
    );
  return (
    <Show
      when={props.apps.length > 0}
      fallback={
        <p class="card empty">
          <Show
            when={!props.noNodes}
            fallback="No apps yet. They need a node to run on: add one first (see Get started above)."
          >
            No apps yet. <Link href="/catalog">Browse the catalog</Link> to deploy one.
          </Show>
        </p>
      }
    >
      <ul class="app-counts" aria-label="Apps by status">
        <For each={counts()}>
          {(c) => (
            <li class={`card app-count app-count-${c.status}`} data-status={c.status}>
              <strong>{c.n}</strong> <span>{c.status}</span>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
