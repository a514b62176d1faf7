import type { App } from "@pylon/shared";
import { Match, Switch } from "solid-js";
import { Notice } from "../../components/Notice.tsx";
import { Link } from "../../router/router.tsx";

/**
 * After an app's delete was sent from its page: says it is being deleted while the list still
 * has it, that it is gone once the list no longer does, and if the delete failed.
 */
export function DeletionNotice(props: { appId: string; name: string; apps: App[] | undefined }) {
  const app = () => props.apps?.find((a) => a.id === props.appId);
  return (
    <Switch>
      <Match when={props.apps && !app()}>
        <Notice kind="success">“{props.name}” is deleted: its guest, data and route are gone.</Notice>
      </Match>
      <Match when={app()?.status === "deleting" || !props.apps}>
        <Notice>
          Deleting “{props.name}”: its guest, data and route are being removed. It leaves this list when done.
        </Notice>
      </Match>
      <Match when={app()}>
        {(a) => (
          <Notice kind="warning">
            Deleting “{props.name}” did not finish: <Link href={`/apps/${a().id}`}>see why</Link>.
          </Notice>
        )}
      </Match>
    </Switch>
  );
}
