import type { Inventory } from "@pylon/shared";
import { createSignal, For, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { type PowerAction, powerGuest } from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { navigate } from "../../router/router.tsx";

const LABEL: Record<PowerAction, string> = {
  start: "Start",
  shutdown: "Shut down",
  reboot: "Reboot",
  stop: "Stop",
};

/** A guest's power buttons; each starts a job and opens its page to follow it live. */
export function PowerButtons(props: {
  nodeId: string;
  guest: Inventory["guests"][number];
  actions: PowerAction[];
}) {
  const action = createAction(powerGuest);
  const [which, setWhich] = createSignal<PowerAction | null>(null);
  const run = async (a: PowerAction) => {
    setWhich(a);
    const job = await action.run(props.nodeId, props.guest.vmid, props.guest.type, a);
    if (job) navigate(`/jobs/${job.id}`);
  };
  return (
    <>
      <For each={props.actions}>
        {(a) => (
          <Button
            variant={a === "stop" ? "danger" : "secondary"}
            busy={action.pending() && which() === a}
            disabled={action.pending()}
            aria-label={`${LABEL[a]} ${props.guest.name} (${props.guest.vmid})`}
            onClick={() => void run(a)}
          >
            {LABEL[a]}
          </Button>
        )}
      </For>
      <Show when={action.error()}>{(e) => <p class="field-error">{e().message}</p>}</Show>
    </>
  );
}
