import type { Node } from "@pylon/shared";
import { Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { updateAgent } from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Time } from "../../components/Time.tsx";

/**
 * The agent's version against the one this control plane serves, its last self-update (in
 * progress, done, or failed and why) and, for admins, the button that orders one.
 */
export function AgentUpdate(props: { node: Node; canUpdate: boolean; onChanged: () => void }) {
  const update = createAction(updateAgent);
  const u = () => props.node.agentUpdate;
  const behind = () =>
    props.node.latestAgentVersion !== null &&
    props.node.agentVersion !== null &&
    props.node.agentVersion !== props.node.latestAgentVersion;
  const order = async () => {
    if (await update.run(props.node.id)) props.onChanged();
  };
  return (
    <div class="agent-update">
      <span>
        {props.node.agentVersion ?? "—"}
        <Show when={behind()}>
          {" "}
          <span class="muted">(this server has {props.node.latestAgentVersion})</span>
        </Show>
      </span>
      <Show when={u()}>
        {(x) => (
          <span class="muted" role="status">
            {x().state === "updating"
              ? ` · updating to ${x().to}${x().message ? ` (${x().message})` : ""}…`
              : x().state === "succeeded"
                ? ` · updated from ${x().from} `
                : ` · update to ${x().to} failed: ${x().message ?? "no reason given"} `}
            <Show when={x().finishedAt}>{(at) => <Time at={at()} />}</Show>
          </span>
        )}
      </Show>
      <Show when={props.canUpdate && props.node.status === "online" && u()?.state !== "updating"}>
        <Button
          variant="secondary"
          onClick={() => void order()}
          busy={update.pending()}
          busyLabel="Ordering…"
        >
          Update agent
        </Button>
      </Show>
      <ErrorMessage error={update.error()} />
    </div>
  );
}
