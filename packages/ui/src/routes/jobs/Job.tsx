import type { Job as JobT, Node } from "@pylon/shared";
import { createResource, createSignal, onCleanup, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { cancelJob } from "../../api/actions.ts";
import { asApiError } from "../../api/client.ts";
import { streamJob } from "../../api/job-stream.ts";
import { getNode } from "../../api/queries.ts";
import { roleAtLeast } from "../../api/roles.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { Time } from "../../components/Time.tsx";
import { currentUser } from "../../context/session.ts";
import { Link } from "../../router/router.tsx";
import { SimulatedBadge } from "../nodes/NodeStatus.tsx";
import { describeJob, isFinished } from "./describe.ts";
import { JobLog } from "./JobLog.tsx";
import { JobProgress } from "./JobProgress.tsx";
import { JobStatusBadge } from "./JobStatusBadge.tsx";
import { JobSteps } from "./JobSteps.tsx";
import { createJobView } from "./job-view.ts";

/** One job, live: state, steps, progress and log lines as they arrive; operators cancel it. */
export function Job(props: { params: Record<string, string> }) {
  const id = () => props.params.id ?? "";
  const [job, setJob] = createSignal<JobT | null>(null);
  const [connection, setConnection] = createSignal<"open" | "reconnecting">("open");
  const [failure, setFailure] = createSignal<unknown>(null);
  const view = createJobView();
  const stop = streamJob(id(), {
    onJob: setJob,
    onEvent: (e) => view.apply([e]),
    onEnd: () => setConnection("open"),
    onConnection: setConnection,
    onError: setFailure,
  });
  onCleanup(stop);
  const [node] = createResource(
    () => job()?.nodeId,
    (nodeId): Promise<Node | null> => getNode(nodeId).catch(() => null),
  );
  const cancel = createAction(cancelJob);
  // The cancel answer may arrive after the stream already reported the job finished: keep the newer.
  const keepNewer = (j: JobT | undefined) => {
    const cur = job();
    if (j && (!cur || (!isFinished(cur.status) && j.updatedAt >= cur.updatedAt))) setJob(j);
  };
  const canCancel = () => roleAtLeast(currentUser()?.role ?? "viewer", "operator");
  const errorText = () => view.result()?.error?.message ?? job()?.error ?? null;

  return (
    <>
      <p class="breadcrumb">
        <Link href="/jobs">← Jobs</Link>
      </p>
      <Show when={failure()}>
        {(f) => (
          <>
            <PageHeader title="Job" />
            <ErrorMessage error={asApiError(f())} />
          </>
        )}
      </Show>
      <Show when={!failure() && !job()}>
        <p class="loading" role="status">
          <span class="spinner" aria-hidden="true" /> Loading the job…
        </p>
      </Show>
      <Show when={job()}>
        {(j) => (
          <>
            <PageHeader title={describeJob(j())}>
              <JobStatusBadge status={j().status} />
              <Show when={canCancel() && !isFinished(j().status)}>
                <Button
                  variant="danger"
                  busy={cancel.pending()}
                  busyLabel="Cancelling…"
                  disabled={j().cancelRequested}
                  onClick={() => void cancel.run(j().id).then(keepNewer)}
                >
                  {j().cancelRequested ? "Cancel requested" : "Cancel job"}
                </Button>
              </Show>
            </PageHeader>
            <ErrorMessage error={cancel.error()} />
            <section class="card" aria-label="Job details">
              <dl class="facts">
                <dt>Node</dt>
                <dd>
                  <Link href={`/nodes/${j().nodeId}`}>{node()?.name ?? j().nodeId}</Link>{" "}
                  <Show when={node()?.simulated}>
                    <SimulatedBadge />
                  </Show>
                </dd>
                <dt>Created</dt>
                <dd>
                  <Time at={j().createdAt} />
                </dd>
                <dt>Finished</dt>
                <dd>
                  <Time at={j().finishedAt} never="not yet" />
                </dd>
                <dt>Attempts</dt>
                <dd>{j().attempts}</dd>
              </dl>
              <Show when={connection() === "reconnecting" && !isFinished(j().status)}>
                <p class="muted small" role="status">
                  <span class="spinner" aria-hidden="true" /> Connection lost; reconnecting…
                </p>
              </Show>
              <JobProgress progress={view.progress()} status={j().status} />
              <Show when={errorText() && (j().status === "failed" || j().status === "lost")}>
                <div class="alert alert-error" role="alert">
                  <p>
                    <strong>{j().status === "lost" ? "Lost: " : "Failed: "}</strong>
                    {errorText()}
                  </p>
                </div>
              </Show>
              <JobSteps steps={view.steps()} failedStep={view.failedStep()} shown={errorText()} />
            </section>
            <section class="card" aria-labelledby="log-title">
              <h2 id="log-title">Log</h2>
              <JobLog lines={view.logs()} />
            </section>
          </>
        )}
      </Show>
    </>
  );
}
