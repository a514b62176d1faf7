import type { Job } from "@pylon/shared";
import { createSignal, onCleanup, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { refreshInventory } from "../../api/actions.ts";
import { streamJob } from "../../api/job-stream.ts";
import type { NodeDetail } from "../../api/queries.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Time } from "../../components/Time.tsx";
import { Link } from "../../router/router.tsx";
import { JobStatusBadge } from "../jobs/JobStatusBadge.tsx";
import { GuestTable } from "./GuestTable.tsx";
import { StorageTable } from "./StorageTable.tsx";
import { TemplateTable } from "./TemplateTable.tsx";

const FINAL = ["succeeded", "failed", "cancelled", "lost"];

/** Guests, storages and templates as the agent last reported them; operators refresh them. */
export function InventorySection(props: { node: NodeDetail; canOperate: boolean; onRefreshed: () => void }) {
  const action = createAction(refreshInventory);
  const [job, setJob] = createSignal<Job | null>(null);
  let stop: (() => void) | undefined;
  onCleanup(() => stop?.());
  const running = () => {
    const j = job();
    return !!j && !FINAL.includes(j.status);
  };
  const refresh = async () => {
    const j = await action.run(props.node.id);
    if (!j) return;
    setJob(j);
    stop?.();
    stop = streamJob(j.id, {
      onJob: setJob,
      onEvent: () => {},
      onEnd: () => props.onRefreshed(),
    });
  };
  return (
    <section class="card" aria-labelledby="inventory-title">
      <div class="card-head">
        <h2 id="inventory-title">Inventory</h2>
        <Show when={props.canOperate}>
          <Button
            onClick={() => void refresh()}
            busy={action.pending() || running()}
            busyLabel="Refreshing…"
            disabled={props.node.status !== "online"}
            title={props.node.status !== "online" ? "The node is not online" : undefined}
          >
            Refresh inventory
          </Button>
        </Show>
      </div>
      <p class="muted small">
        <Show when={props.node.inventoryAt} fallback="The agent has not reported an inventory yet.">
          {(at) => (
            <>
              Reported <Time at={at()} />.
            </>
          )}
        </Show>{" "}
        <Show when={job()}>
          {(j) => (
            <span role="status">
              <Link href={`/jobs/${j().id}`}>Inventory job</Link> <JobStatusBadge status={j().status} />
              <Show when={j().error}>{(e) => <span class="field-error"> {e()}</span>}</Show>
            </span>
          )}
        </Show>
      </p>
      <ErrorMessage error={action.error()} />
      <Show when={props.node.inventory}>
        {(inv) => (
          <>
            <h3>Guests</h3>
            <GuestTable node={props.node} guests={inv().guests} canPower={props.canOperate} />
            <h3>Storages</h3>
            <StorageTable storages={inv().storages} />
            <h3>Templates</h3>
            <TemplateTable templates={inv().templates} />
          </>
        )}
      </Show>
    </section>
  );
}
