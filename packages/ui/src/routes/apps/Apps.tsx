import { createResource, Show } from "solid-js";
import { isBusy } from "../../api/app-values.ts";
import { listApps, listNodes } from "../../api/queries.ts";
import { roleAtLeast } from "../../api/roles.ts";
import { Async } from "../../components/Async.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { currentUser } from "../../context/session.ts";
import { takeFlash } from "../../lib/flash.ts";
import { latest } from "../../lib/latest.ts";
import { createPoll } from "../../lib/poll.ts";
import { Link } from "../../router/router.tsx";
import { FAST_POLL_MS } from "../nodes/Nodes.tsx";
import { AppTable } from "./AppTable.tsx";
import { DeletionNotice } from "./DeletionNotice.tsx";

/** Every app with its state and URL; operators deploy new ones from here. */
export function Apps() {
  const [apps, { refetch }] = createResource(listApps);
  const [nodes] = createResource(() => listNodes().catch(() => []));
  const canDeploy = () => roleAtLeast(currentUser()?.role ?? "viewer", "operator");
  const deleting = takeFlash("/apps");
  createPoll(
    () => void refetch(),
    () => (latest(apps)?.some((a) => isBusy(a.status)) ? FAST_POLL_MS : 15_000),
  );
  return (
    <>
      <PageHeader title="Apps" description="What runs on your nodes, and where to reach it.">
        <Show when={canDeploy()}>
          <Link class="btn btn-primary" href="/apps/new">
            Deploy an app
          </Link>
        </Show>
      </PageHeader>
      <Show when={deleting?.appId}>
        {(id) => <DeletionNotice appId={id()} name={deleting?.appName ?? id()} apps={latest(apps)} />}
      </Show>
      <section class="card" aria-label="Apps">
        <Async resource={apps} onRetry={refetch} what="apps">
          {(list) => (
            <Show
              when={list().length > 0}
              fallback={
                <p class="empty">
                  No apps yet.{" "}
                  <Show when={canDeploy()} fallback="Operators deploy them from the catalog.">
                    <Link href="/catalog">Pick one from the catalog</Link> to get started.
                  </Show>
                </p>
              }
            >
              <AppTable apps={list()} nodes={nodes() ?? []} />
            </Show>
          )}
        </Async>
      </section>
    </>
  );
}
