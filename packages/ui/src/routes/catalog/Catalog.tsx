import type { CatalogCategory } from "@pylon/shared/catalog/schema";
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { CATEGORY_VALUES, isCategory } from "../../api/app-values.ts";
import { listCatalog } from "../../api/queries.ts";
import { roleAtLeast } from "../../api/roles.ts";
import { Async } from "../../components/Async.tsx";
import { Field } from "../../components/Field.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { SelectField } from "../../components/SelectField.tsx";
import { currentUser } from "../../context/session.ts";
import { Link } from "../../router/router.tsx";
import { CatalogCard } from "./CatalogCard.tsx";

const SEARCH_DELAY_MS = 250;

/** The app catalog: search by name, description or tag, filter by category, deploy from a card. */
export function Catalog() {
  const [q, setQ] = createSignal("");
  const [category, setCategory] = createSignal<CatalogCategory | "">("");
  const [filter, setFilter] = createSignal<{ q?: string; category?: CatalogCategory }>({});
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  // Typing waits for a pause before asking the server; a category applies at once.
  const apply = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(
      () => setFilter({ q: q().trim() || undefined, category: category() || undefined }),
      delay,
    );
  };
  const [entries, { refetch }] = createResource(filter, listCatalog);
  const canDeploy = () => roleAtLeast(currentUser()?.role ?? "viewer", "operator");
  return (
    <>
      <PageHeader title="Catalog" description="Ready-made apps to deploy onto your nodes.">
        <Show when={canDeploy()}>
          <Link class="btn btn-secondary" href="/apps/new?source=git">
            Deploy from Git
          </Link>
        </Show>
      </PageHeader>
      <form
        class="card filters"
        aria-label="Find an app"
        onSubmit={(e) => {
          e.preventDefault();
          apply(0);
        }}
      >
        <div class="grid-2">
          <Field
            label="Search"
            type="search"
            name="q"
            placeholder="Name, description or tag"
            value={q()}
            onValue={(v) => {
              setQ(v);
              apply(SEARCH_DELAY_MS);
            }}
          />
          <SelectField
            label="Category"
            name="category"
            value={category()}
            onValue={(v) => {
              setCategory(isCategory(v) ? v : "");
              apply(0);
            }}
            options={[
              { value: "", label: "All categories" },
              ...CATEGORY_VALUES.map((c) => ({ value: c, label: c })),
            ]}
          />
        </div>
      </form>
      <section aria-label="Catalog apps">
        <Async resource={entries} onRetry={refetch} what="the catalog">
          {(list) => (
            <Show
              when={list().length > 0}
              fallback={<p class="card empty">No app matches; try another word or category.</p>}
            >
              <ul class="catalog-grid">
                <For each={list()}>{(e) => <CatalogCard entry={e} canDeploy={canDeploy()} />}</For>
              </ul>
            </Show>
          )}
        </Async>
      </section>
    </>
  );
}
