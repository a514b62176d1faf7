import { Show } from "solid-js";
import { formatDateTime, formatRelative } from "../lib/format.ts";

/** A timestamp shown relative to now ("3 minutes ago"), the exact time on hover; follows `at` as it changes. */
export function Time(props: { at: string | null | undefined; never?: string }) {
  return (
    <Show when={props.at} fallback={<span class="muted">{props.never ?? "never"}</span>}>
      {(at) => (
        <time datetime={at()} title={formatDateTime(at())}>
          {formatRelative(at())}
        </time>
      )}
    </Show>
  );
}
