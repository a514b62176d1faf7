import { formatDateTime, formatRelative } from "../lib/format.ts";

/** A timestamp shown relative to now ("3 minutes ago"), the exact time on hover. */
export function Time(props: { at: string | null | undefined; never?: string }) {
  return props.at ? (
    <time datetime={props.at} title={formatDateTime(props.at)}>
      {formatRelative(props.at)}
    </time>
  ) : (
    <span class="muted">{props.never ?? "never"}</span>
  );
}
