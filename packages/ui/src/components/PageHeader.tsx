import { type JSX, Show } from "solid-js";

/** The title of a screen, a line on what it is for, and its main actions. */
export function PageHeader(props: { title: string; description?: string; children?: JSX.Element }) {
  return (
    <header class="page-header">
      <div>
        <h1>{props.title}</h1>
        <Show when={props.description}>
          <p class="muted">{props.description}</p>
        </Show>
      </div>
      <Show when={props.children}>
        <div class="page-actions">{props.children}</div>
      </Show>
    </header>
  );
}
