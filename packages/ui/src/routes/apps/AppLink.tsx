import { Show } from "solid-js";

/** The app's public URL as a link that opens in a new tab, or a dash when it has none. */
export function AppLink(props: { url: string | null }) {
  return (
    <Show when={props.url} fallback={<span class="muted">—</span>}>
      {(u) => (
        <a href={u()} target="_blank" rel="noopener noreferrer" class="app-url">
          {u().replace(/^https?:\/\//, "")}
          <span class="visually-hidden"> (opens in a new tab)</span>
        </a>
      )}
    </Show>
  );
}
