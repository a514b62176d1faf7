import type { JobKind, JobStatus, Node } from "@pylon/shared";
import { createSignal } from "solid-js";
import type { ApiError } from "../../api/client.ts";
import type { JobFilter } from "../../api/queries.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { SelectField } from "../../components/SelectField.tsx";
import { JOB_KIND_OPTIONS, JOB_STATUS_VALUES } from "./describe.ts";

interface JobFiltersProps {
  nodes: Node[];
  initial: JobFilter;
  busy: boolean;
  error: ApiError | null;
  onApply: (f: JobFilter) => void;
}

/** Filters for the job list: node, state and kind; log views and diagnostics on request. */
export function JobFilters(props: JobFiltersProps) {
  const [node, setNode] = createSignal(props.initial.node ?? "");
  const [status, setStatus] = createSignal<string>(props.initial.status ?? "");
  const [kind, setKind] = createSignal<string>(props.initial.kind ?? "");
  const [views, setViews] = createSignal(props.initial.views ?? false);
  const apply = (e: SubmitEvent) => {
    e.preventDefault();
    props.onApply({
      node: node() || undefined,
      status: (status() || undefined) as JobStatus | undefined,
      kind: (kind() || undefined) as JobKind | undefined,
      views: views() || undefined,
    });
  };
  return (
    <form class="card filters" onSubmit={apply} aria-label="Job filters" novalidate>
      <div class="grid-3">
        <SelectField
          label="Node"
          name="node"
          value={node()}
          onValue={setNode}
          options={[
            { value: "", label: "Any node" },
            ...props.nodes.map((n) => ({ value: n.id, label: n.name })),
          ]}
          error={props.error?.field("node")}
        />
        <SelectField
          label="Status"
          name="status"
          value={status()}
          onValue={setStatus}
          options={[
            { value: "", label: "Any status" },
            ...JOB_STATUS_VALUES.map((s) => ({ value: s, label: s })),
          ]}
          error={props.error?.field("status")}
        />
        <SelectField
          label="Kind"
          name="kind"
          value={kind()}
          onValue={setKind}
          options={[{ value: "", label: "Any kind" }, ...JOB_KIND_OPTIONS]}
          error={props.error?.field("kind")}
        />
      </div>
      <ErrorMessage error={props.error} fields={["node", "status", "kind"]} />
      <div class="actions">
        <label class="check filters-views">
          <input
            type="checkbox"
            name="views"
            checked={views()}
            onChange={(e) => setViews(e.currentTarget.checked)}
          />
          <span>Show log views and diagnostics</span>
        </label>
        <Button type="submit" variant="primary" busy={props.busy} busyLabel="Filtering…">
          Apply filters
        </Button>
      </div>
    </form>
  );
}
