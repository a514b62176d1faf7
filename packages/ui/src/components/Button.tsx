import { type JSX, Show, splitProps } from "solid-js";

type ButtonProps = JSX.ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: "primary" | "secondary" | "danger" | "ghost";
  /** While true the button is disabled and shows a spinner (a request is running). */
  busy?: boolean;
  /** Text while busy, e.g. "Saving…"; defaults to the normal label. */
  busyLabel?: string;
};

/** A button that shows progress while its request runs. */
export function Button(props: ButtonProps) {
  const [local, rest] = splitProps(props, [
    "variant",
    "busy",
    "busyLabel",
    "children",
    "class",
    "disabled",
    "type",
  ]);
  return (
    <button
      {...rest}
      type={local.type ?? "button"}
      class={`btn btn-${local.variant ?? "secondary"}${local.class ? ` ${local.class}` : ""}`}
      disabled={local.disabled || local.busy}
      aria-busy={local.busy ? "true" : undefined}
    >
      <Show when={local.busy}>
        <span class="spinner" aria-hidden="true" />
      </Show>
      <Show when={local.busy && local.busyLabel} fallback={local.children}>
        {local.busyLabel}
      </Show>
    </button>
  );
}
