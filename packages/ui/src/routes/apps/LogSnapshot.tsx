import type { App } from "@pylon/shared";
import { createSignal, onMount, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { runDiagnostic } from "../../api/queries.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Time } from "../../components/Time.tsx";
import { OutputPane } from "./OutputPane.tsx";

/** The container logs read once through the `logs` diagnostic; Refresh reads them again. */
export function LogSnapshot(props: { app: App }) {
  const read = createAction(runDiagnostic);
  const [output, setOutput] = createSignal<string | null>(null);
  const [at, setAt] = createSignal<string | null>(null);
  const refresh = async () => {
    const d = await read.run(props.app.id, "logs");
    if (d) {
      setOutput(d.output);
      setAt(new Date().toISOString());
    }
  };
  onMount(() => {
    if (props.app.guest.vmid !== null) void refresh();
  });
  return (
    <section class="card" aria-labelledby="logs-title">
      <div class="card-head">
        <h2 id="logs-title">Container logs</h2>
        <span class="muted small">
          <Show when={at()}>
            Read <Time at={at()} />{" "}
          </Show>
          <Button onClick={() => void refresh()} busy={read.pending()} busyLabel="Reading…">
            Refresh
          </Button>
        </span>
      </div>
      <ErrorMessage error={read.error()} />
      <OutputPane
        label="Container logs"
        output={output()}
        empty={props.app.guest.vmid === null ? "The app has no guest yet." : "Reading the logs…"}
      />
    </section>
  );
}
