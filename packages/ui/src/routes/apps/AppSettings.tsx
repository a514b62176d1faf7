import type { App } from "@pylon/shared";
import { Show } from "solid-js";
import { EnvEditor } from "./EnvEditor.tsx";
import { HostKeyCard } from "./HostKeyCard.tsx";
import { WebhookCard } from "./WebhookCard.tsx";

/**
 * Operators: the app's environment, and for Git apps their push-to-deploy webhook (catalog apps
 * ignore pushes, so they get no webhook panel at all) and, over ssh, the Git host's key.
 */
export function AppSettings(props: { app: App; onChanged: (a: App) => void }) {
  const gitOverSsh = () => {
    const s = props.app.source;
    return s.type === "git" && !s.url.startsWith("https://") ? s : null;
  };
  return (
    <>
      <EnvEditor app={props.app} onChanged={props.onChanged} />
      <Show when={props.app.source.type === "git"}>
        <WebhookCard app={props.app} />
      </Show>
      <Show when={gitOverSsh()}>
        {(s) => <HostKeyCard app={props.app} source={s()} onChanged={props.onChanged} />}
      </Show>
    </>
  );
}
