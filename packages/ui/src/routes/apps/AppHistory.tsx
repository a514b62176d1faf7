import type { App } from "@pylon/shared";
import { createResource, Show } from "solid-js";
import { listAppJobs } from "../../api/queries.ts";
import { Async } from "../../components/Async.tsx";
import { JobTable } from "../jobs/JobTable.tsx";

/** The app's jobs, newest first: deploys, actions, resizes, diagnostics. */
export function AppHistory(props: { app: App }) {
  const [jobs, { refetch }] = createResource(() => listAppJobs(props.app));
  return (
    <section class="card" aria-labelledby="history-title">
      <div class="card-head">
        <h2 id="history-title">History</h2>
        <button type="button" class="btn btn-secondary" onClick={() => void refetch()}>
          Refresh
        </button>
      </div>
      <Async resource={jobs} onRetry={refetch} what="the app's jobs">
        {(list) => (
          <Show when={list().length > 0} fallback={<p class="empty">No jobs for this app yet.</p>}>
            <JobTable jobs={list()} nodes={[]} showNode={false} />
          </Show>
        )}
      </Async>
    </section>
  );
}
