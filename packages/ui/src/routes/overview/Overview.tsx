import { createResource, For, Show } from "solid-js";
import { isBusy } from "../../api/app-values.ts";
import { listApps, listJobs, listNodes } from "../../api/queries.ts";
import { Async } from "../../components/Async.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { latest } from "../../lib/latest.ts";
import { createPoll } from "../../lib/poll.ts";
import { Link } from "../../router/router.tsx";
import { isFinished } from "../jobs/describe.ts";
import { JobTable } from "../jobs/JobTable.tsx";
import { NodeStatus } from "../nodes/NodeStatus.tsx";
import { anyWaiting, FAST_POLL_MS } from "../nodes/Nodes.tsx";
import { NodeUsage } from "../nodes/NodeUsage.tsx";
import { AppCounts } from "./AppCounts.tsx";
import { AppUsage } from "./AppUsage.tsx";
import { GettingStarted } from "./GettingStarted.tsx";

const RECENT_JOBS = 8;

/** The landing page: every node's state and usage, and the latest jobs. */
export function Overview() {
  const [nodes, nodesCtl] = createResource(listNodes);
  const [jobs, jobsCtl] = createResource(() => listJobs({}, null, RECENT_JOBS).then((p) => p.items));
  const [apps, appsCtl] = createResource(listApps);
  const busy = () =>
    anyWaiting(latest(nodes)) ||
    !!latest(jobs)?.some((j) => !isFinished(j.status)) ||
    !!latest(apps)?.some((a) => isBusy(a.status));
  createPoll(
    () => {
      void nodesCtl.refetch();
      void jobsCtl.refetch();
      void appsCtl.refetch();
    },
    () => (busy() ? FAST_POLL_MS : 15_000),
  );
  return (
    <>
      <PageHeader title="Overview" description="Your apps, your nodes and what they have been doing." />
      <Show when={latest(nodes) !== undefined && latest(apps) !== undefined && !latest(apps)?.length}>
        <GettingStarted nodes={latest(nodes)?.length ?? 0} apps={latest(apps)?.length ?? 0} />
      </Show>
      <section aria-labelledby="ov-apps">
        <div class="card-head">
          <h2 id="ov-apps">Apps</h2>
          <Link href="/apps">All apps</Link>
        </div>
        <Async resource={apps} onRetry={appsCtl.refetch} what="apps">
          {(list) => (
            <>
              <AppCounts apps={list()} noNodes={latest(nodes)?.length === 0} />
              <AppUsage apps={list()} />
            </>
          )}
        </Async>
      </section>
      <section aria-labelledby="ov-nodes">
        <div class="card-head">
          <h2 id="ov-nodes">Nodes</h2>
          <Link href="/nodes">All nodes</Link>
        </div>
        <Async resource={nodes} onRetry={nodesCtl.refetch} what="nodes">
          {(list) => (
            <Show
              when={list().length > 0}
              fallback={
                <p class="card empty">
                  No nodes yet: apps run on a Proxmox VE host with the Pylon agent.{" "}
                  <Link href="/nodes">Nodes</Link> shows how to add one.
                </p>
              }
            >
              <ul class="node-cards">
                <For each={list()}>
                  {(n) => (
                    <li class="card node-card" data-node={n.name}>
                      <div class="card-head">
                        <Link href={`/nodes/${n.id}`}>
                          <strong>{n.name}</strong>
                        </Link>
                        <NodeStatus node={n} />
                      </div>
                      <NodeUsage metrics={n.metrics} />
                      <p class="muted small">
                        {n.guestCount ?? 0} guests · PVE {n.pveVersion ?? "—"}
                      </p>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          )}
        </Async>
      </section>
      <section class="card" aria-labelledby="ov-jobs">
        <div class="card-head">
          <h2 id="ov-jobs">Recent jobs</h2>
          <Link href="/jobs">All jobs</Link>
        </div>
        <Async resource={jobs} onRetry={jobsCtl.refetch} what="jobs">
          {(list) => (
            <JobTable
              jobs={list()}
              nodes={latest(nodes) ?? []}
              empty="No jobs yet. Agents record their work here: a node's first inventory, each deploy and action."
            />
          )}
        </Async>
      </section>
    </>
  );
}
