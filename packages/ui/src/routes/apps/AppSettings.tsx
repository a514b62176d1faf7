import type { App } from "@pylon/shared";
import { Show } from "solid-js";
import { EnvEditor } from "./EnvEditor.tsx";
import { WebhookCard } from "./WebhookCard.tsx";

/**
 * Operators: the app's environment, and for Git apps their push-to-deploy webhook (catalog apps
 * ignore pushes, so they get no webhook panel at all).
 */
export function AppSettings(props: { app: App; onChanged: (a: App) => void }) {
  return (
    <>
      <EnvEditor app={props.app} onChanged={props.onChanged} />
      <Show when={props.app.source.type === "git"}>
        <WebhookCard app={props.app} />
      </Show>
    </>
  );
}
