import type { App } from "@pylon/shared";
import { Show } from "solid-js";
import { EnvEditor } from "./EnvEditor.tsx";
import { WebhookCard } from "./WebhookCard.tsx";

/** Operators: the app's environment, and its push-to-deploy webhook (Git apps). */
export function AppSettings(props: { app: App; onChanged: (a: App) => void }) {
  return (
    <>
      <EnvEditor app={props.app} onChanged={props.onChanged} />
      <Show
        when={props.app.source.type === "git"}
        fallback={
          <WebhookCard app={props.app} note="Catalog apps ignore pushes; the webhook redeploys Git apps." />
        }
      >
        <WebhookCard app={props.app} />
      </Show>
    </>
  );
}
