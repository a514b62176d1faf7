import type { CatalogEntry } from "@pylon/shared/catalog/schema";
import { type Resource, Show } from "solid-js";
import { Field } from "../../../components/Field.tsx";
import { CatalogSource } from "./CatalogSource.tsx";
import { GitSource } from "./GitSource.tsx";
import type { StepProps } from "./step-props.ts";

/** Step 1: a catalog app with its settings, or a Git repository; and the app's name. */
export function SourceStep(props: StepProps & { entry: Resource<CatalogEntry | undefined> }) {
  return (
    <>
      <h2>Source</h2>
      <fieldset class="field">
        <legend>Deploy from</legend>
        <label class="radio">
          <input
            type="radio"
            name="kind"
            value="catalog"
            checked={props.draft.kind === "catalog"}
            onChange={() => props.setDraft("kind", "catalog")}
          />
          <span>
            <strong>The catalog</strong> <span class="muted">— a ready-made app</span>
          </span>
        </label>
        <label class="radio">
          <input
            type="radio"
            name="kind"
            value="git"
            checked={props.draft.kind === "git"}
            onChange={() => props.setDraft("kind", "git")}
          />
          <span>
            <strong>A Git repository</strong>{" "}
            <span class="muted">— built with its Dockerfile or compose file</span>
          </span>
        </label>
      </fieldset>
      <Show when={props.draft.kind === "catalog"} fallback={<GitSource {...props} />}>
        <CatalogSource {...props} entry={props.entry} />
      </Show>
      <Field
        label="App name"
        name="name"
        required
        autocomplete="off"
        hint="Lower-case letters, digits and hyphens; also the guest's host name."
        value={props.draft.name}
        onValue={(v) => props.setDraft({ name: v, nameEdited: true })}
        error={props.error("name")}
      />
    </>
  );
}
