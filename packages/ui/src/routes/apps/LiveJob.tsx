import type { Job } from "@pylon/shared";
import { createSignal, onCleanup, Show } from "solid-js";
import { asApiError } from "../../api/client.ts";
import { streamJob } from "../../api/job-stream.ts";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Link } from "../../router/router.tsx";
import { describeJob, isFinished } from "../jobs/describe.ts";
import { JobLog } from "../jobs/JobLog.tsx";
import { JobProgress } from "../jobs/JobProgress.tsx";
import { JobStatusBadge } from "../jobs/JobStatusBadge.tsx";
import { JobSteps } from "../jobs/JobSteps.tsx";
import { createJobView } from "../jobs/job-view.ts";

/**
 * The app's current or last job, live: progress, steps (the failing one highlighted), its error
 * once (not at all when `shownError`, already on the page, contains it) and log.
 */
export function LiveJob(props: { jobId: string; onEnd: () => void; shownError?: string | null }) {
  const [job, setJob] = createSignal<Job | null>(null);
  const [failure, setFailure] = createSignal<unknown>(null);
  const [connection, setConnection] = createSignal<"open" | "reconnecting">("open");
  const view = createJobView();
  const stop = streamJob(props.jobId, {
    onJob: setJob,
    onEvent: (e) => view.apply([e]),
    onEnd: () => {
      setConnection("open");
      props.onEnd();
    },
    onConnection: setConnection,
    onError: setFailure,
  });
  onCleanup(stop);
  const errorText = () => view.result()?.error?.message ?? job()?.error ?? null;
  const shownAbove = () => {
    const e = errorText();
    return !!e && !!props.shownError?.includes(e);
  };
  return (
    <section class="card" aria-labelledby="live-job-title">
      <Show when={failure()}>{(f) => <ErrorMessage error={asApiError(f())} />}</Show>
      <Show
        when={job()}
        fallback={
          <Show when={!failure()}>
            <p class="loading" role="status">
              <span class="spinner" aria-hidden="true" /> Loading the job…
            </p>
          </Show>
        }
      >
        {(j) => (
          <>
            <div class="card-head">
              <h2 id="live-job-title">
                {isFinished(j().status) ? "Last job" : "Current job"}: {describeJob(j())}
              </h2>
              <span>
                <JobStatusBadge status={j().status} /> <Link href={`/jobs/${j().id}`}>Job page</Link>
              </span>
            </div>
            <Show when={connection() === "reconnecting" && !isFinished(j().status)}>
              <p class="muted small" role="status">
                <span class="spinner" aria-hidden="true" /> Connection lost; reconnecting…
              </p>
            </Show>
            <JobProgress progress={view.progress()} status={j().status} />
            <Show when={errorText() && (j().status === "failed" || j().status === "lost") && !shownAbove()}>
              <div class="alert alert-error" role="alert">
                <p>{errorText()}</p>
              </div>
            </Show>
            <JobSteps steps={view.steps()} failedStep={view.failedStep()} shown={errorText()} />
            <h3>Log</h3>
            <JobLog lines={view.logs()} />
          </>
        )}
      </Show>
    </section>
  );
}
