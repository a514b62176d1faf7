import { Show } from "solid-js";
import { roleAtLeast } from "../../api/roles.ts";
import { currentUser } from "../../context/session.ts";
import { Link } from "../../router/router.tsx";

/**
 * What a newcomer does next, on an empty Overview: add a node (admins; others are told who
 * can), then deploy an app. Each step says whether it is done.
 */
export function GettingStarted(props: { nodes: number; apps: number }) {
  const role = () => currentUser()?.role ?? "viewer";
  return (
    <section class="card card-highlight getting-started" aria-labelledby="start-title">
      <h2 id="start-title">Get started</h2>
      <ol>
        <li data-done={props.nodes > 0}>
          <strong>Add a node.</strong>{" "}
          <Show when={props.nodes === 0} fallback="Done: your node reports in below.">
            <Show
              when={roleAtLeast(role(), "admin")}
              fallback="An admin adds one: a Proxmox VE host with the Pylon agent installed."
            >
              <Link href="/nodes">Nodes → Add node</Link> gives you the command that installs the agent on a
              Proxmox VE host.
            </Show>
          </Show>
        </li>
        <li data-done={props.apps > 0}>
          <strong>Deploy an app.</strong>{" "}
          <Show
            when={roleAtLeast(role(), "operator")}
            fallback="Operators deploy apps from the catalog or a Git repository."
          >
            Pick one from the <Link href="/catalog">catalog</Link>, or{" "}
            <Link href="/apps/new?source=git">deploy a Git repository</Link>.
          </Show>
        </li>
      </ol>
    </section>
  );
}
