import type { App, DiagnosticName } from "@pylon/shared";
import { createSignal, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { DIAGNOSTIC_NAMES, isDiagnostic } from "../../api/app-values.ts";
import { runDiagnostic } from "../../api/queries.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { SelectField } from "../../components/SelectField.tsx";
import { Link } from "../../router/router.tsx";
import { OutputPane } from "./OutputPane.tsx";

const HELP: Record<DiagnosticName, string> = {
  logs: "Container logs (latest lines)",
  status: "Containers and their state",
  disk: "Disk use in the guest",
  processes: "Running processes",
  memory: "Memory use",
  network: "Addresses and listening ports",
  images: "Docker images",
  volumes: "Docker volumes",
  config: "The compose configuration as Docker sees it",
  system: "Guest OS, kernel and Docker versions",
};

/** Runs one of the fixed, read-only diagnostics in the app's guest and shows its output. */
export function Diagnostics(props: { app: App }) {
  const [name, setName] = createSignal<DiagnosticName>("status");
  const run = createAction(runDiagnostic);
  const [result, setResult] = createSignal<{ name: DiagnosticName; output: string; jobId: string } | null>(
    null,
  );
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const d = await run.run(props.app.id, name());
    if (d) setResult(d);
  };
  return (
    <section class="card" aria-labelledby="diag-title">
      <h2 id="diag-title">Diagnostics</h2>
      <p class="muted">Read-only commands in the app's guest; each run is recorded in the audit log.</p>
      <form class="diag-form" onSubmit={submit}>
        <SelectField
          label="Diagnostic"
          name="diagnostic"
          value={name()}
          onValue={(v) => isDiagnostic(v) && setName(v)}
          options={DIAGNOSTIC_NAMES.map((n) => ({ value: n, label: `${n} — ${HELP[n]}` }))}
        />
        <Button type="submit" variant="primary" busy={run.pending()} busyLabel="Running…">
          Run
        </Button>
      </form>
      <ErrorMessage error={run.error()} />
      <Show when={result()}>
        {(r) => (
          <p class="muted small">
            {r().name}, from <Link href={`/jobs/${r().jobId}`}>job {r().jobId}</Link>
          </p>
        )}
      </Show>
      <OutputPane
        label="Diagnostic output"
        output={result()?.output ?? null}
        empty="Pick a diagnostic and run it."
      />
    </section>
  );
}
