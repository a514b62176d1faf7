import type { App } from "@pylon/shared";
import { createResource, Show } from "solid-js";
import { isBusy } from "../../api/app-values.ts";
import { asApiError } from "../../api/client.ts";
import { getApp, getAppMetrics, getNode } from "../../api/queries.ts";
import { roleAtLeast } from "../../api/roles.ts";
import { Async } from "../../components/Async.tsx";
import { MetricsCharts } from "../../components/MetricsCharts.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { type Tab, Tabs } from "../../components/Tabs.tsx";
import { currentUser } from "../../context/session.ts";
import { latest } from "../../lib/latest.ts";
import { createPoll } from "../../lib/poll.ts";
import { Link } from "../../router/router.tsx";
import { FAST_POLL_MS } from "../nodes/Nodes.tsx";
import { AppActions } from "./AppActions.tsx";
import { AppHistory } from "./AppHistory.tsx";
import { AppLogs } from "./AppLogs.tsx";
import { AppSettings } from "./AppSettings.tsx";
import { AppStatusBadge } from "./AppStatusBadge.tsx";
import { AppSummary } from "./AppSummary.tsx";
import { BackupsTab } from "./backups/BackupsTab.tsx";
import { SnapshotsTab } from "./backups/SnapshotsTab.tsx";
import { Diagnostics } from "./Diagnostics.tsx";
import { LiveJob } from "./LiveJob.tsx";
import { UpdateActions } from "./UpdateActions.tsx";
import { UpdateBadge } from "./UpdateBadge.tsx";

/** One app: state, URL, guest, the current or last job live, and what operators can do with it. */
export function AppPage(props: { params: Record<string, string> }) {
  const id = () => props.params.id ?? "";
  const role = () => currentUser()?.role ?? "viewer";
  const canOperate = () => roleAtLeast(role(), "operator");
  const [app, { refetch, mutate }] = createResource(id, getApp);
  const [node] = createResource(
    () => latest(app)?.nodeId,
    (nodeId) => getNode(nodeId).catch(() => null),
  );
  const gone = () => !!app.error && asApiError(app.error).status === 404;
  createPoll(
    () => void refetch(),
    () => {
      // A deleted app is not asked for again and again.
      if (gone()) return null;
      const a = latest(app);
      return a && isBusy(a.status) ? FAST_POLL_MS : 15_000;
    },
  );
  const changed = (a: App) => mutate(a);
  const tabs = (a: () => App): Tab[] => [
    {
      id: "activity",
      label: "Activity",
      content: () => (
        <Show
          when={a().lastJobId}
          keyed
          fallback={<p class="card empty">No job has run for this app yet.</p>}
        >
          {(jobId) => (
            <LiveJob
              jobId={jobId}
              onEnd={() => void refetch()}
              shownError={a().status === "failed" ? a().lastError : null}
            />
          )}
        </Show>
      ),
    },
    { id: "metrics", label: "Metrics", content: () => <MetricsCharts id={a().id} load={getAppMetrics} /> },
    ...(canOperate()
      ? [
          { id: "logs", label: "Logs", content: () => <AppLogs app={a()} /> },
          { id: "diagnostics", label: "Diagnostics", content: () => <Diagnostics app={a()} /> },
        ]
      : []),
    {
      id: "backups",
      label: "Backups",
      content: () => <BackupsTab app={a()} canOperate={canOperate()} onChanged={changed} />,
    },
    {
      id: "snapshots",
      label: "Snapshots",
      content: () => <SnapshotsTab app={a()} canOperate={canOperate()} onChanged={changed} />,
    },
    { id: "history", label: "History", content: () => <AppHistory app={a()} /> },
    ...(canOperate()
      ? [{ id: "settings", label: "Settings", content: () => <AppSettings app={a()} onChanged={changed} /> }]
      : []),
  ];
  return (
    <>
      <p class="breadcrumb">
        <Link href="/apps">← Apps</Link>
      </p>
      <Show
        when={!gone()}
        fallback={
          <PageHeader title="App not found" description="It may have been deleted.">
            <Link href="/apps">All apps</Link>
          </PageHeader>
        }
      >
        <Async resource={app} onRetry={refetch} what="the app">
          {(a) => (
            <>
              <PageHeader title={a().name}>
                <AppStatusBadge status={a().status} />
                <UpdateBadge app={a()} />
              </PageHeader>
              <Show when={canOperate()}>
                <AppActions app={a()} onChanged={changed} />
                <UpdateActions app={a()} onChanged={() => void refetch()} onUpdating={changed} />
              </Show>
              <AppSummary app={a()} node={node() ?? null} />
              <Tabs label="App sections" tabs={tabs(a)} />
            </>
          )}
        </Async>
      </Show>
    </>
  );
}
