import type { AppStatus } from "@pylon/shared";
import { Show } from "solid-js";
import { Badge } from "../../components/Badge.tsx";

const TONE: Record<AppStatus, "neutral" | "good" | "bad" | "warn" | "accent"> = {
  deploying: "accent",
  running: "good",
  stopped: "neutral",
  failed: "bad",
  deleting: "warn",
};

/** An app's state as a coloured word, with a spinner while something is happening to it. */
export function AppStatusBadge(props: { status: AppStatus }) {
  return (
    <span class="app-status" data-testid="app-status">
      <Badge tone={TONE[props.status]}>
        <Show when={props.status === "deploying" || props.status === "deleting"}>
          <span class="spinner spinner-small" aria-hidden="true" />{" "}
        </Show>
        {props.status}
      </Badge>
    </span>
  );
}
