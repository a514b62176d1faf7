import { createEffect, createResource, createSignal, Match, on, Show, Switch } from "solid-js";
import { createStore } from "solid-js/store";
import { createAction } from "../../../api/action.ts";
import { createApp } from "../../../api/actions.ts";
import { getCatalogEntry, getSettings, listNodes } from "../../../api/queries.ts";
import { ErrorMessage } from "../../../components/ErrorMessage.tsx";
import { PageHeader } from "../../../components/PageHeader.tsx";
import { Link, navigate } from "../../../router/router.tsx";
import { DomainStep } from "./DomainStep.tsx";
import {
  buildBody,
  defaultInput,
  defaultsOf,
  domainProblems,
  emptyDraft,
  envProblems,
  STEPS,
  type StepId,
  sourceProblems,
  stepOfField,
  targetProblems,
} from "./draft.ts";
import { EnvStep } from "./EnvStep.tsx";
import { planProblem } from "./plan-draft.ts";
import { ReviewStep } from "./ReviewStep.tsx";
import { SourceStep } from "./SourceStep.tsx";
import { StepNav } from "./StepNav.tsx";
import { TargetStep } from "./TargetStep.tsx";
import { WizardButtons } from "./WizardButtons.tsx";

/** The deploy wizard: source → target → domain → variables → review → deploy, then the app page. */
export function NewApp() {
  // Links preselect the source: ?catalog=<id> (a catalog card) or ?source=git.
  const query = new URLSearchParams(location.search);
  const [draft, setDraft] = createStore(emptyDraft(query.get("catalog") ?? ""));
  if (query.get("source") === "git") setDraft("kind", "git");
  const [step, setStep] = createSignal<StepId>("source");
  const [reached, setReached] = createSignal(0);
  const [problems, setProblems] = createSignal<Record<string, string>>({});
  const [entry] = createResource(
    () => (draft.kind === "catalog" && draft.catalogId) || false,
    (id) => getCatalogEntry(id),
  );
  const [nodes] = createResource(listNodes);
  const [settings] = createResource(() => getSettings().catch(() => undefined));
  const appsDomain = () => settings()?.apps.domain ?? null;
  const deploy = createAction(createApp);

  // A newly picked catalog app brings its parameter defaults, its resources and its name.
  createEffect(
    on(entry, (e) => {
      if (!e) return;
      const d = defaultsOf(e);
      setDraft({
        params: Object.fromEntries(e.parameters.map((p) => [p.name, defaultInput(p)])),
        cores: String(d.cores),
        memoryMb: String(d.memoryMb),
        diskGb: String(d.diskGb),
      });
      if (!draft.nameEdited) setDraft("name", e.id);
    }),
  );

  const loadedEntry = () => (draft.kind === "catalog" && entry.state === "ready" ? entry() : undefined);
  const index = () => STEPS.findIndex((s) => s.id === step());
  const problemsOf = (id: StepId) =>
    id === "source"
      ? sourceProblems(draft, loadedEntry())
      : id === "target"
        ? targetProblems(draft, loadedEntry())
        : id === "domain"
          ? domainProblems(draft)
          : id === "env"
            ? envProblems(draft)
            : {};
  /** Our own message for a field, else the API's from the last deploy attempt. */
  const fieldError = (path: string) => problems()[path] ?? deploy.error()?.field(path);
  const go = (id: StepId) => {
    setProblems({});
    setStep(id);
    const i = STEPS.findIndex((s) => s.id === id);
    if (i > reached()) setReached(i);
  };
  const next = () => {
    const found = problemsOf(step());
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const following = STEPS[index() + 1];
    if (following) go(following.id);
  };
  const submit = async () => {
    // A Git deploy builds the plan the user reviewed: none, a stale or a refused one stops here.
    const unplanned = planProblem(draft);
    if (unplanned) return setProblems({ plan: unplanned });
    const app = await deploy.run(buildBody(draft, loadedEntry()));
    if (app) {
      navigate(`/apps/${app.id}`);
      return;
    }
    // Field errors: back to the step that shows the first of them, next to its field.
    const first = deploy.error()?.fields[0];
    if (first) setStep(stepOfField(first.path));
  };

  return (
    <>
      <p class="breadcrumb">
        <Link href="/apps">← Apps</Link>
      </p>
      <PageHeader
        title="Deploy an app"
        description="From the catalog or a Git repository, onto one of your nodes."
      />
      <StepNav current={step()} reached={reached()} onGo={go} />
      <ErrorMessage
        error={deploy.error()}
        fields={["name", "source", "target", "domain", "env", "secrets"]}
      />
      <form
        class="card wizard"
        aria-label={`Step ${index() + 1} of ${STEPS.length}: ${STEPS[index()]?.label}`}
        novalidate
        onSubmit={(e) => {
          e.preventDefault();
          if (step() === "review") void submit();
          else next();
        }}
      >
        <Switch>
          <Match when={step() === "source"}>
            <SourceStep draft={draft} setDraft={setDraft} entry={entry} error={fieldError} />
          </Match>
          <Match when={step() === "target"}>
            <TargetStep
              draft={draft}
              setDraft={setDraft}
              nodes={nodes}
              entry={loadedEntry()}
              error={fieldError}
            />
          </Match>
          <Match when={step() === "domain"}>
            <DomainStep draft={draft} setDraft={setDraft} appsDomain={appsDomain()} error={fieldError} />
          </Match>
          <Match when={step() === "env"}>
            <EnvStep draft={draft} setDraft={setDraft} error={fieldError} />
          </Match>
          <Match when={step() === "review"}>
            <ReviewStep
              draft={draft}
              setDraft={setDraft}
              entry={loadedEntry()}
              nodes={nodes() ?? []}
              appsDomain={appsDomain()}
              onEdit={go}
            />
          </Match>
        </Switch>
        <Show when={step() === "review" && problems().plan}>
          <p class="error" role="alert">
            {problems().plan}
          </p>
        </Show>
        <WizardButtons
          first={index() === 0}
          last={step() === "review"}
          busy={deploy.pending()}
          onBack={() => {
            const prev = STEPS[index() - 1];
            if (prev) go(prev.id);
          }}
        />
      </form>
    </>
  );
}
