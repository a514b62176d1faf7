import type { BuildPlan, PlanAppResult } from "@pylon/shared";
import { createSignal, For, onMount, Show } from "solid-js";
import type { SetStoreFunction } from "solid-js/store";
import { createAction } from "../../../api/action.ts";
import { planApp } from "../../../api/actions.ts";
import { ErrorMessage } from "../../../components/ErrorMessage.tsx";
import { Field } from "../../../components/Field.tsx";
import { SelectField } from "../../../components/SelectField.tsx";
import type { BuildMode, Draft, PlanInputs } from "./draft.ts";
import { planKey, planRequestOf } from "./plan-draft.ts";

const SOURCES: { value: BuildMode; label: string }[] = [
  { value: "auto", label: "Detect (the repository's Dockerfile, compose file, else generated)" },
  { value: "generated", label: "A Dockerfile Pylon generates" },
  { value: "dockerfile", label: "The repository's Dockerfile" },
  { value: "compose", label: "The repository's compose file" },
];

interface PlanPanelProps {
  draft: Draft;
  setDraft: SetStoreFunction<Draft>;
}

/**
 * The build plan of a Git source, made by the node's agent from the repository at the ref:
 * what will be built and run, and why, with the settings the user may change (source, commands,
 * port, versions, compose service). The deploy builds the commit of the plan shown here.
 */
export function PlanPanel(props: PlanPanelProps) {
  const plan = createAction(planApp);
  const [result, setResult] = createSignal<PlanAppResult | undefined>();
  const g = () => props.draft.git;
  const run = async () => {
    const key = planKey(props.draft);
    const answer = await plan.run(planRequestOf(props.draft));
    if (!answer) return;
    setResult(answer);
    props.setDraft("git", "reviewed", { key, commit: answer.commit, refused: answer.plan.refused !== null });
  };
  // Planned whenever the review step opens: the answer is the plan the deploy will build.
  onMount(() => void run());
  const setting = (k: keyof PlanInputs) => (v: string) => props.setDraft("git", "plan", k, v);
  const p = (): BuildPlan | undefined => result()?.plan;
  const stale = () => result() !== undefined && g().reviewed?.key !== planKey(props.draft);

  return (
    <section class="review-group plan-panel" aria-label="Build plan">
      <div class="card-head">
        <h3>Build plan</h3>
        <button
          type="button"
          class="btn btn-ghost small"
          disabled={plan.pending()}
          onClick={() => void run()}
        >
          {plan.pending() ? "Planning…" : "Plan again"}
        </button>
      </div>
      <Show when={plan.pending() && !result()}>
        <p class="muted">The node is fetching the repository to plan the build…</p>
      </Show>
      <ErrorMessage error={plan.error()} />
      <Show when={stale()}>
        <p class="alert" role="status">
          Settings changed since this plan: plan again to see what will be deployed.
        </p>
      </Show>
      <Show when={p()}>
        {(pl) => (
          <Show
            when={!pl().refused}
            fallback={
              <div class="alert alert-error" role="alert">
                <strong>Pylon cannot build this repository as it is.</strong> {pl().refused}
              </div>
            }
          >
            <dl class="facts">
              <dt>Builds from</dt>
              <dd>
                {pl().source === "generated" ? "a generated Dockerfile" : `the repository's ${pl().file}`} —{" "}
                {pl().reason}
              </dd>
              <dt>Framework</dt>
              <dd>{pl().frameworkName ?? pl().framework}</dd>
              <Show when={pl().runtime}>
                {(rt) => (
                  <>
                    <dt>Runtime</dt>
                    <dd>
                      {rt().name} {rt().version}{" "}
                      <span class="muted">
                        ({rt().from}; {rt().image})
                      </span>
                    </dd>
                  </>
                )}
              </Show>
              <Show when={pl().packageManager}>
                <dt>Packages</dt>
                <dd>{pl().packageManager}</dd>
              </Show>
              <For each={(["install", "build", "start"] as const).filter((k) => pl().commands[k])}>
                {(k) => (
                  <>
                    <dt>{k[0]!.toUpperCase() + k.slice(1)}</dt>
                    <dd>
                      <code>{pl().commands[k]}</code>
                    </dd>
                  </>
                )}
              </For>
              <Show when={pl().compose}>
                {(c) => (
                  <>
                    <dt>Web service</dt>
                    <dd>
                      {c().service} <span class="muted">of {c().services.join(", ")}</span>
                    </dd>
                  </>
                )}
              </Show>
              <dt>Port</dt>
              <dd>{pl().port}</dd>
              <dt>Commit</dt>
              <dd>
                <code>{result()?.commit.slice(0, 12)}</code>
              </dd>
              <Show when={result()?.hostKey}>
                {(k) => (
                  <>
                    <dt>Git host key</dt>
                    <dd>
                      <code>{k().fingerprint}</code>{" "}
                      <span class="muted">
                        ({k().keyType}
                        {k().firstUse
                          ? "; seen for the first time: compare it with what your Git host publishes, and pin it with the deploy key"
                          : "; matches the pinned key"}
                        )
                      </span>
                    </dd>
                  </>
                )}
              </Show>
            </dl>
            <Show when={pl().warnings.length > 0}>
              <ul class="plan-warnings" aria-label="Warnings">
                <For each={pl().warnings}>{(w) => <li>{w}</li>}</For>
              </ul>
            </Show>
            <Show when={pl().dockerfile}>
              <details>
                <summary>Generated Dockerfile</summary>
                <pre class="output">{pl().dockerfile}</pre>
              </details>
            </Show>
          </Show>
        )}
      </Show>
      <details class="plan-settings" open={Boolean(p()?.refused)}>
        <summary>Change the plan</summary>
        <div class="grid-2">
          <SelectField
            label="Build from"
            name="planSource"
            value={g().buildMode}
            onValue={(v) => props.setDraft("git", "buildMode", v as BuildMode)}
            options={SOURCES}
          />
          <Field
            label="Port the app listens on"
            name="planPort"
            type="number"
            inputmode="numeric"
            placeholder="(detected)"
            value={g().port}
            onValue={(v) => props.setDraft("git", "port", v)}
          />
          <Field
            label="Install command"
            name="installCommand"
            placeholder="(detected)"
            value={g().plan.installCommand}
            onValue={setting("installCommand")}
          />
          <Field
            label="Build command"
            name="buildCommand"
            placeholder="(detected)"
            value={g().plan.buildCommand}
            onValue={setting("buildCommand")}
          />
          <Field
            label="Start command"
            name="startCommand"
            placeholder="(detected)"
            value={g().plan.startCommand}
            onValue={setting("startCommand")}
          />
          <Field
            label="Compose web service"
            name="composeService"
            placeholder="(detected)"
            value={g().plan.composeService}
            onValue={setting("composeService")}
          />
          <Field
            label="Node.js version"
            name="nodeVersion"
            placeholder="(from the repository)"
            value={g().plan.nodeVersion}
            onValue={setting("nodeVersion")}
          />
          <Field
            label="Python version"
            name="pythonVersion"
            placeholder="(from the repository)"
            value={g().plan.pythonVersion}
            onValue={setting("pythonVersion")}
          />
        </div>
      </details>
    </section>
  );
}
