import type { JSX } from "solid-js";

/** A short status message (success or information), announced to screen readers. */
export function Notice(props: { kind?: "success" | "info" | "warning"; children: JSX.Element }) {
  return (
    <div class={`alert alert-${props.kind ?? "info"}`} role="status">
      {props.children}
    </div>
  );
}
