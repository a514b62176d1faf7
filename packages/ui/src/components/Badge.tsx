import type { JSX } from "solid-js";

/** A small coloured label (role, status, result). */
export function Badge(props: {
  tone?: "neutral" | "good" | "bad" | "warn" | "accent";
  children: JSX.Element;
}) {
  return <span class={`badge badge-${props.tone ?? "neutral"}`}>{props.children}</span>;
}
