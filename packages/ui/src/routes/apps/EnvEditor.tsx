import type { App } from "@pylon/shared";
import { createSignal, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { updateApp } from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { KeyValueRows, mapOf, nameProblem, rowsOf } from "../../components/KeyValueRows.tsx";
import { Notice } from "../../components/Notice.tsx";

/** Edits the app's environment variables; saving queues a redeploy that applies them. */
export function EnvEditor(props: { app: App; onChanged: (a: App) => void }) {
  const [rows, setRows] = createSignal(rowsOf(props.app.env));
  const [saved, setSaved] = createSignal(false);
  const save = createAction(updateApp);
  const invalid = () => rows().some((r) => nameProblem(r.key));
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setSaved(false);
    const a = await save.run(props.app.id, { env: mapOf(rows()) });
    if (a) {
      setSaved(true);
      props.onChanged(a);
    }
  };
  return (
    <section class="card" aria-labelledby="env-title">
      <h2 id="env-title">Environment</h2>
      <form onSubmit={submit} novalidate>
        <KeyValueRows
          legend="Environment variables"
          noun="variable"
          rows={rows()}
          onRows={(r) => {
            setSaved(false);
            setRows(r);
          }}
          errorFor={(k) => save.error()?.field(`env.${k}`)}
          hint="Saving redeploys the app with the new variables."
        />
        <Show when={props.app.secretNames.length > 0}>
          <p class="hint">
            Secrets (set at deploy, values hidden):{" "}
            {props.app.secretNames.filter((n) => !n.startsWith("__")).join(", ")}
          </p>
        </Show>
        <ErrorMessage error={save.error()} fields={["env"]} />
        <Show when={saved()}>
          <Notice kind="success">Saved; a redeploy applies the new variables.</Notice>
        </Show>
        <div class="actions">
          <Button
            type="submit"
            variant="primary"
            disabled={invalid()}
            busy={save.pending()}
            busyLabel="Saving…"
          >
            Save and redeploy
          </Button>
        </div>
      </form>
    </section>
  );
}
