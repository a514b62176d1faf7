import type { App } from "@pylon/shared";
import { createSignal, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import type { ApiError } from "../../api/client.ts";
import { followAppLogs } from "../../api/log-stream.ts";
import { Button } from "../../components/Button.tsx";
import { JobLog } from "../jobs/JobLog.tsx";
import type { LogLine } from "../jobs/job-view.ts";
import { LogSnapshot } from "./LogSnapshot.tsx";

const TAIL = 200;
/** Lines kept on screen; older ones scroll away (a chatty app would otherwise fill the tab's memory). */
const KEEP = 2000;

type State = "connecting" | "live" | "ended" | "lost" | "paused" | "unavailable";

/**
 * The app's container logs, followed live: the last lines, then new ones as they are written.
 * A stream that cannot start at all (a server without the logs route) falls back to the `logs`
 * diagnostic with a Refresh button.
 */
export function AppLogs(props: { app: App }) {
  const [lines, setLines] = createSignal<LogLine[]>([]);
  const [state, setState] = createSignal<State>("connecting");
  const [why, setWhy] = createSignal<string | null>(null);
  const [refused, setRefused] = createSignal<ApiError | null>(null);
  let seq = 0;
  let stop: (() => void) | undefined;
  // A line carries the time it was written (Docker's); a notice, or a line from an agent that
  // sends no time, the time it arrived.
  const add = (message: string, level: LogLine["level"], at: string | null = null) =>
    setLines((l) => [
      ...l.slice(-(KEEP - 1)),
      { seq: ++seq, at: at ?? new Date().toISOString(), level, message },
    ]);
  const open = () => {
    stop?.();
    setLines([]);
    setWhy(null);
    setRefused(null);
    setState("connecting");
    stop = followAppLogs(props.app.id, TAIL, {
      onOpen: () => setState("live"),
      onLine: (l) => add(l.text, "info", l.at),
      onNotice: (t) => add(t, "warn"),
      onEnd: (error) => {
        setWhy(error);
        setState("ended");
      },
      onError: (opened, error) => {
        // The API refused (e.g. no guest, no right): say so. A server that cannot stream at all
        // gets the one-off reading instead.
        if (!opened && error && error.status >= 400 && error.status < 500 && error.status !== 404) {
          setRefused(error);
          setState("lost");
        } else setState(opened ? "lost" : "unavailable");
      },
    });
  };
  const pause = () => {
    stop?.();
    setState("paused");
  };
  onMount(() => {
    if (props.app.guest.vmid !== null) open();
  });
  onCleanup(() => stop?.());
  return (
    <Show when={state() !== "unavailable"} fallback={<LogSnapshot app={props.app} />}>
      <section class="card" aria-labelledby="logs-title">
        <div class="card-head">
          <h2 id="logs-title">Container logs</h2>
          <Show when={props.app.guest.vmid !== null}>
            <Switch>
              <Match when={state() === "live" || state() === "connecting"}>
                <Button onClick={pause}>Pause</Button>
              </Match>
              <Match when={true}>
                <Button variant="primary" onClick={open}>
                  {state() === "paused" ? "Follow again" : "Reconnect"}
                </Button>
              </Match>
            </Switch>
          </Show>
        </div>
        <p class="muted small" role="status">
          <Switch>
            <Match when={props.app.guest.vmid === null}>The app has no guest yet.</Match>
            <Match when={state() === "connecting"}>
              <span class="spinner" aria-hidden="true" /> Connecting…
            </Match>
            <Match when={state() === "live"}>Following live; new lines appear as they are written.</Match>
            <Match when={state() === "paused"}>
              Paused. Following again starts from the last {TAIL} lines.
            </Match>
            <Match when={state() === "lost" && refused()}>{(e) => e().message}</Match>
            <Match when={state() === "lost"}>The connection was lost.</Match>
            <Match when={state() === "ended"}>The stream ended{why() ? `: ${why()}` : "."}</Match>
          </Switch>
        </p>
        <JobLog lines={lines()} label="Container logs" empty="No lines yet." />
      </section>
    </Show>
  );
}
