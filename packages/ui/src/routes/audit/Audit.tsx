import type { AuditEntry } from "@pylon/shared";
import { createResource, createSignal, onMount, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { type AuditFilter, listAudit, listUsers } from "../../api/queries.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { AuditFilters } from "./AuditFilters.tsx";
import { AuditTable } from "./AuditTable.tsx";

/** Admin: every mutating action, who did it, on what, and whether it worked; filtered, paged. */
export function Audit() {
  const [users] = createResource(() => listUsers().catch(() => []));
  const [items, setItems] = createSignal<AuditEntry[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loaded, setLoaded] = createSignal(false);
  let filter: AuditFilter = {};
  const page = createAction(listAudit);

  const load = async (more: boolean) => {
    const p = await page.run(filter, more ? cursor() : null);
    if (!p) return;
    setItems(more ? [...items(), ...p.items] : p.items);
    setCursor(p.nextCursor);
    setLoaded(true);
  };
  onMount(() => void load(false));

  return (
    <>
      <PageHeader title="Audit log" description="Every change made through Pylon, newest first." />
      <AuditFilters
        users={users() ?? []}
        busy={page.pending() && !cursor()}
        error={page.error()}
        onApply={(f) => {
          filter = f;
          setCursor(null);
          void load(false);
        }}
      />
      <section class="card" aria-label="Audit entries">
        <Show
          when={loaded()}
          fallback={
            <Show when={!page.error()}>
              <p class="loading" role="status">
                Loading the audit log…
              </p>
            </Show>
          }
        >
          <AuditTable entries={items()} users={users() ?? []} />
        </Show>
        <Show when={loaded() && page.error()}>
          <ErrorMessage error={page.error()} />
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
