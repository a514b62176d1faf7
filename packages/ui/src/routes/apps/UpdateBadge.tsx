import type { App } from "@pylon/shared";
import { Show } from "solid-js";
import { Badge } from "../../components/Badge.tsx";

/** "Update: 1.2 → 1.3" when the last update check found a newer catalog version. */
export function UpdateBadge(props: { app: App }) {
  return (
    <Show when={props.app.update?.available}>
      {(available) => (
        <span
          class="update-badge"
          title={`The catalog has ${available()}; this app runs ${props.app.update?.current ?? "?"}`}
        >
          <Badge tone="accent">
            Update: {props.app.update?.current} → {available()}
          </Badge>
        </span>
      )}
    </Show>
  );
}
