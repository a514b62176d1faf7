import { Show } from "solid-js";

/** Command output in monospace, scrollable, labelled for screen readers. */
export function OutputPane(props: { label: string; output: string | null; empty?: string }) {
  return (
    <Show when={props.output !== null} fallback={<p class="muted">{props.empty ?? "Nothing yet."}</p>}>
      <section aria-label={props.label}>
        <pre class="output">{props.output || "(no output)"}</pre>
      </section>
    </Show>
  );
}
