import type { Job } from "@pylon/shared";
import { createResource, createSignal, onMount, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { type JobFilter, listJobs, listNodes } from "../../api/queries.ts";
import { Button } from "../../components/Button.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { JobFilters } from "./JobFilters.tsx";
import { JobTable } from "./JobTable.tsx";

/** Every job, newest first, filtered by node, state and kind, paged with a cursor. */
export function Jobs() {
  const [nodes] = createResource(() => listNodes().catch(() => []));
  const [items, setItems] = createSignal<Job[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loaded, setLoaded] = createSignal(false);
  const [filtered, setFiltered] = createSignal(false);
  // A link from elsewhere may preselect the node (/jobs?node=…).
  const initial: JobFilter = { node: new URLSearchParams(location.search).get("node") ?? undefined };
  let filter: JobFilter = initial;
  const page = createAction(listJobs);

  const load = async (more: boolean) => {
    const p = await page.run(filter, more ? cursor() : null);
    if (!p) return;
    setItems(more ? [...items(), ...p.items] : p.items);
    setCursor(p.nextCursor);
    setFiltered(Object.values(filter).some((v) => v !== undefined && v !== ""));
    setLoaded(true);
  };
  onMount(() => void load(false));

  return (
    <>
      <PageHeader title="Jobs" description="Work the agents ran or are running, newest first." />
      <JobFilters
        nodes={nodes() ?? []}
        initial={initial}
        busy={page.pending() && !cursor()}
        error={page.error()}
        onApply={(f) => {
          filter = f;
          setCursor(null);
          void load(false);
        }}
      />
      <section class="card" aria-label="Jobs">
        <Show
          when={loaded()}
          fallback={
            <Show when={!page.error()}>
              <p class="loading" role="status">
                <span class="spinner" aria-hidden="true" /> Loading jobs…
              </p>
            </Show>
          }
        >
          <JobTable
            jobs={items()}
            nodes={nodes() ?? []}
            empty={
              filtered()
                ? "No jobs match these filters."
                : "No jobs yet. Agents record their work here: a node's first inventory, each deploy and action."
            }
          />
        </Show>
        <Show when={cursor()}>
          <div class="actions">
            <Button onClick={() => void load(true)} busy={page.pending()} busyLabel="Loading…">
              Load more
            </Button>
          </div>
        </Show>
      </section>
    </>
  );
}
