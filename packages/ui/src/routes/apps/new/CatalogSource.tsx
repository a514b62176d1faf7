import type { CatalogEntry } from "@pylon/shared/catalog/schema";
import { createResource, For, type Resource, Show } from "solid-js";
import { asApiError } from "../../../api/client.ts";
import { listCatalog } from "../../../api/queries.ts";
import { AppIcon } from "../../../components/AppIcon.tsx";
import { ErrorMessage } from "../../../components/ErrorMessage.tsx";
import { SelectField } from "../../../components/SelectField.tsx";
import { ParameterField } from "./ParameterField.tsx";
import type { StepProps } from "./step-props.ts";

/** Picks a catalog app and shows its settings, rendered from the entry's parameter schema. */
export function CatalogSource(props: StepProps & { entry: Resource<CatalogEntry | undefined> }) {
  const [catalog] = createResource(() => listCatalog());
  const options = () => [
    { value: "", label: catalog.loading ? "Loading the catalog…" : "Choose an app" },
    ...(catalog() ?? []).map((e) => ({ value: e.id, label: `${e.name} (${e.version})` })),
  ];
  return (
    <>
      <SelectField
        label="App"
        name="catalogId"
        value={props.draft.catalogId}
        onValue={(v) => props.setDraft("catalogId", v)}
        options={options()}
        error={props.error("source.catalogId")}
      />
      <Show when={catalog.error}>
        <ErrorMessage error={asApiError(catalog.error)} />
      </Show>
      <Show when={props.entry.loading}>
        <p class="loading" role="status">
          <span class="spinner" aria-hidden="true" /> Loading the app's settings…
        </p>
      </Show>
      <Show when={props.entry.error}>
        <ErrorMessage error={asApiError(props.entry.error)} />
      </Show>
      <Show when={props.entry.state === "ready" && props.entry()}>
        {(e) => (
          <>
            <div class="catalog-pick">
              <AppIcon icon={e().icon} name={e().name} />
              <p>
                <strong>{e().name}</strong> {e().version}
                <br />
                <span class="muted">{e().description}</span>
              </p>
            </div>
            <Show
              when={e().parameters.length > 0}
              fallback={<p class="muted">This app has no settings to choose.</p>}
            >
              <fieldset class="field params">
                <legend>Settings</legend>
                <For each={e().parameters}>
                  {(p) => (
                    <ParameterField
                      param={p}
                      value={props.draft.params[p.name]}
                      onValue={(v) => props.setDraft("params", p.name, v)}
                      error={props.error(`source.parameters.${p.name}`)}
                    />
                  )}
                </For>
              </fieldset>
            </Show>
            <Show when={e().secrets.length > 0}>
              <p class="hint">
                Generated for you at deploy:{" "}
                {e()
                  .secrets.map((s) => s.description || s.name)
                  .join("; ")}
                .
              </p>
            </Show>
          </>
        )}
      </Show>
    </>
  );
}
