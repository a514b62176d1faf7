import type { Job, Node } from "@pylon/shared";
import { For, type JSX, Show } from "solid-js";
import { Time } from "../../components/Time.tsx";
import { formatDuration } from "../../lib/format.ts";
import { Link } from "../../router/router.tsx";
import { describeJob } from "./describe.ts";
import { JobStatusBadge } from "./JobStatusBadge.tsx";

function took(j: Job): string {
  if (!j.startedAt || !j.finishedAt) return "—";
  return formatDuration((new Date(j.finishedAt).getTime() - new Date(j.startedAt).getTime()) / 1000);
}

/** Jobs with their node, state, age and duration; each opens its live page. */
export function JobTable(props: { jobs: Job[]; nodes: Node[]; showNode?: boolean; empty?: JSX.Element }) {
  const nodeName = (id: string) => props.nodes.find((n) => n.id === id)?.name ?? id;
  return (
    <Show when={props.jobs.length > 0} fallback={<p class="empty">{props.empty ?? "No jobs match."}</p>}>
      <div class="table-wrap">
        <table class="jobs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <Show when={props.showNode !== false}>
                <th scope="col">Node</th>
              </Show>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Took</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.jobs}>
              {(j) => (
                <tr data-job={j.id}>
                  <td data-label="Job">
                    <div>
                      <Link href={`/jobs/${j.id}`}>{describeJob(j)}</Link>
                      <Show when={j.error}>{(e) => <div class="field-error small">{e()}</div>}</Show>
                    </div>
                  </td>
                  <Show when={props.showNode !== false}>
                    <td data-label="Node">
                      <Link href={`/nodes/${j.nodeId}`}>{nodeName(j.nodeId)}</Link>
                    </td>
                  </Show>
                  <td data-label="Status">
                    <JobStatusBadge status={j.status} />
                  </td>
                  <td data-label="Created">
                    <Time at={j.createdAt} />
                  </td>
                  <td data-label="Took">{took(j)}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
