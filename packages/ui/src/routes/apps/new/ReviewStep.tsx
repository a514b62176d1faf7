import type { Node } from "@pylon/shared";
import type { CatalogEntry } from "@pylon/shared/catalog/schema";
import { For, type JSX, Show } from "solid-js";
import type { SetStoreFunction } from "solid-js/store";
import { mapOf } from "../../../components/KeyValueRows.tsx";
import { plural } from "../../../lib/format.ts";
import { defaultDomain } from "./DomainStep.tsx";
import { type Draft, isSshUrl, type StepId } from "./draft.ts";
import { PlanPanel } from "./PlanPanel.tsx";

interface ReviewStepProps {
  draft: Draft;
  setDraft: SetStoreFunction<Draft>;
  entry: CatalogEntry | undefined;
  nodes: Node[];
  appsDomain: string | null;
  onEdit: (step: StepId) => void;
}

/** Step 5: everything at a glance, secrets masked, each part with a link back to change it. */
export function ReviewStep(props: ReviewStepProps) {
  const d = () => props.draft;
  const node = () => props.nodes.find((n) => n.id === d().nodeId);
  const env = () => Object.entries(mapOf(d().env));
  const secrets = () => Object.keys(mapOf(d().secrets));
  const paramText = (name: string) => {
    const p = props.entry?.parameters.find((x) => x.name === name);
    const v = d().params[name];
    if (p?.type === "secret") return v ? "•••••••• (set)" : "(not set)";
    if (typeof v === "boolean") return v ? "yes" : "no";
    return v || "(empty)";
  };
  const Edit = (p: { step: StepId; what: string }) => (
    <button type="button" class="btn btn-ghost small" onClick={() => props.onEdit(p.step)}>
      Change {p.what}
    </button>
  );
  const Group = (p: { title: string; step: StepId; children: JSX.Element }) => (
    <section class="review-group" aria-label={p.title}>
      <div class="card-head">
        <h3>{p.title}</h3>
        <Edit step={p.step} what={p.title.toLowerCase()} />
      </div>
      <dl class="facts">{p.children}</dl>
    </section>
  );
  return (
    <>
      <h2>Review</h2>
      <Group title="Source" step="source">
        <dt>Name</dt>
        <dd>{d().name}</dd>
        <Show
          when={d().kind === "catalog"}
          fallback={
            <>
              <dt>Repository</dt>
              <dd>
                <code>{d().git.url}</code> at <code>{d().git.ref || "main"}</code>
                {d().git.subdirectory ? ` in ${d().git.subdirectory}` : ""}
              </dd>
              <dt>Build</dt>
              <dd>
                {d().git.buildMode}
                {d().git.port ? `, port ${d().git.port}` : ""}
              </dd>
              <dt>Deploy key</dt>
              <dd>{d().git.deployKey ? "•••••••• (set)" : "none"}</dd>
              <Show when={isSshUrl(d().git.url)}>
                <dt>Host key</dt>
                <dd>
                  {d().git.hostKey.trim() ? (
                    <code>{d().git.hostKey.trim()}</code>
                  ) : (
                    "trusted on first use (shown on the app after the deploy)"
                  )}
                </dd>
              </Show>
            </>
          }
        >
          <dt>App</dt>
          <dd>
            {props.entry?.name ?? d().catalogId} {props.entry?.version}
          </dd>
          <For each={props.entry?.parameters ?? []}>
            {(p) => (
              <>
                <dt>{p.label}</dt>
                <dd>{paramText(p.name)}</dd>
              </>
            )}
          </For>
        </Show>
      </Group>
      <Show when={d().kind === "git" && d().nodeId}>
        <PlanPanel draft={props.draft} setDraft={props.setDraft} />
      </Show>
      <Group title="Target" step="target">
        <dt>Node</dt>
        <dd>{node()?.name ?? d().nodeId}</dd>
        <dt>Guest</dt>
        <dd>{d().type === "lxc" ? "LXC container" : "Virtual machine"}</dd>
        <dt>Resources</dt>
        <dd>
          {plural(Number(d().cores), "core")}, {d().memoryMb} MiB memory, {d().diskGb} GiB disk on{" "}
          {d().storage}
        </dd>
        <dt>Network</dt>
        <dd>{d().bridge}</dd>
      </Group>
      <Group title="Domain" step="domain">
        <dt>Served at</dt>
        <dd>{d().domain.trim() || defaultDomain(d().name, props.appsDomain)}</dd>
      </Group>
      <Group title="Variables" step="env">
        <dt>Environment</dt>
        <dd>
          <Show when={env().length > 0} fallback="none">
            <For each={env()}>
              {([k, v]) => (
                <div>
                  <code>
                    {k}={v}
                  </code>
                </div>
              )}
            </For>
          </Show>
        </dd>
        <dt>Secrets</dt>
        <dd>
          <Show when={secrets().length > 0} fallback="none">
            {secrets().join(", ")} <span class="muted">(values hidden)</span>
          </Show>
        </dd>
      </Group>
    </>
  );
}
