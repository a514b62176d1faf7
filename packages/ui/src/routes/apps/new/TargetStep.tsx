import type { Node } from "@pylon/shared";
import type { CatalogEntry } from "@pylon/shared/catalog/schema";
import { createEffect, createResource, type Resource, Show } from "solid-js";
import { asApiError } from "../../../api/client.ts";
import { getNode } from "../../../api/queries.ts";
import { ErrorMessage } from "../../../components/ErrorMessage.tsx";
import { Field } from "../../../components/Field.tsx";
import { SelectField } from "../../../components/SelectField.tsx";
import { createPoll } from "../../../lib/poll.ts";
import { minimumsOf } from "./draft.ts";
import { NodeCapacity } from "./NodeCapacity.tsx";
import type { StepProps } from "./step-props.ts";

/** Storages that can hold a guest's disk of this type. */
function guestStorages(node: Awaited<ReturnType<typeof getNode>> | undefined, type: "lxc" | "qemu") {
  return (node?.inventory?.storages ?? []).filter(
    (s) => s.active && s.content.includes(type === "lxc" ? "rootdir" : "images"),
  );
}

/** Step 2: which node, LXC or VM, and how big — beside what the node has free. */
export function TargetStep(props: StepProps & { nodes: Resource<Node[]>; entry: CatalogEntry | undefined }) {
  const [detail, { refetch }] = createResource(
    () => props.draft.nodeId || false,
    (id) => getNode(id),
  );
  // Free memory changes with every heartbeat; keep the figures fresh while the user decides.
  createPoll(
    () => void refetch(),
    () => 10_000,
  );
  // Start on the first online node, and on a storage the node has.
  createEffect(() => {
    const list = props.nodes();
    if (!props.draft.nodeId && list) {
      const first = list.find((n) => n.status === "online");
      if (first) props.setDraft("nodeId", first.id);
    }
  });
  createEffect(() => {
    const storages = guestStorages(detail(), props.draft.type);
    if (storages.length > 0 && !storages.some((s) => s.storage === props.draft.storage))
      props.setDraft(
        "storage",
        (storages.find((s) => s.storage === "local-lvm") ?? storages[0])?.storage ?? "",
      );
  });
  const min = () => minimumsOf(props.entry);
  const nodeOptions = () => [
    { value: "", label: props.nodes.loading ? "Loading nodes…" : "Choose a node" },
    ...(props.nodes() ?? []).map((n) => ({
      value: n.id,
      label: n.status === "online" ? n.name : `${n.name} (${n.status})`,
    })),
  ];
  const storages = () => guestStorages(detail(), props.draft.type);
  return (
    <>
      <h2>Target</h2>
      <Show when={props.nodes.error}>
        <ErrorMessage error={asApiError(props.nodes.error)} />
      </Show>
      <div class="grid-2">
        <SelectField
          label="Node"
          name="nodeId"
          value={props.draft.nodeId}
          onValue={(v) => props.setDraft("nodeId", v)}
          options={nodeOptions()}
          error={props.error("target.nodeId")}
        />
        <fieldset class="field">
          <legend>Guest</legend>
          <label class="radio">
            <input
              type="radio"
              name="type"
              value="lxc"
              checked={props.draft.type === "lxc"}
              onChange={() => props.setDraft("type", "lxc")}
            />
            <span>
              LXC container <span class="muted">— light, starts in seconds</span>
            </span>
          </label>
          <label class="radio">
            <input
              type="radio"
              name="type"
              value="qemu"
              checked={props.draft.type === "qemu"}
              onChange={() => props.setDraft("type", "qemu")}
            />
            <span>
              Virtual machine <span class="muted">— its own kernel</span>
            </span>
          </label>
        </fieldset>
      </div>
      <NodeCapacity node={detail()} loading={detail.loading} storage={props.draft.storage} />
      <div class="grid-3">
        <Field
          label="CPU cores"
          name="cores"
          type="number"
          inputmode="numeric"
          min={min().cores}
          max={64}
          hint={`At least ${min().cores}.`}
          value={props.draft.cores}
          onValue={(v) => props.setDraft("cores", v)}
          error={props.error("target.cores")}
        />
        <Field
          label="Memory (MiB)"
          name="memoryMb"
          type="number"
          inputmode="numeric"
          min={min().memoryMb}
          step={256}
          hint={`At least ${min().memoryMb} MiB.`}
          value={props.draft.memoryMb}
          onValue={(v) => props.setDraft("memoryMb", v)}
          error={props.error("target.memoryMb")}
        />
        <Field
          label="Disk (GiB)"
          name="diskGb"
          type="number"
          inputmode="numeric"
          min={min().diskGb}
          hint={`At least ${min().diskGb} GiB; it can grow later, not shrink.`}
          value={props.draft.diskGb}
          onValue={(v) => props.setDraft("diskGb", v)}
          error={props.error("target.diskGb")}
        />
      </div>
      <div class="grid-2">
        <Show
          when={storages().length > 0}
          fallback={
            <Field
              label="Storage"
              name="storage"
              value={props.draft.storage}
              onValue={(v) => props.setDraft("storage", v)}
              error={props.error("target.storage")}
            />
          }
        >
          <SelectField
            label="Storage"
            name="storage"
            value={props.draft.storage}
            onValue={(v) => props.setDraft("storage", v)}
            options={storages().map((s) => ({ value: s.storage, label: `${s.storage} (${s.type})` }))}
            error={props.error("target.storage")}
          />
        </Show>
        <Field
          label="Network bridge"
          name="bridge"
          value={props.draft.bridge}
          onValue={(v) => props.setDraft("bridge", v)}
          hint="The Proxmox bridge the guest joins, e.g. vmbr0."
          error={props.error("target.bridge")}
        />
      </div>
    </>
  );
}
