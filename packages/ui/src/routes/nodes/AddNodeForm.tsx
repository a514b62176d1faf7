import type { Node } from "@pylon/shared";
import { createSignal } from "solid-js";
import { createAction } from "../../api/action.ts";
import { createNode, type Enrollment } from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";

interface AddNodeFormProps {
  onCreated: (created: { node: Node; enrollment: Enrollment }) => void;
  onCancel: () => void;
}

/** Admin: names a new node; the API answers with its one-time enrollment. */
export function AddNodeForm(props: AddNodeFormProps) {
  const [name, setName] = createSignal("");
  const action = createAction(createNode);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const created = await action.run(name().trim());
    if (created) props.onCreated(created);
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="add-node-title" novalidate>
      <h2 id="add-node-title">Add a node</h2>
      <Field
        label="Node name"
        name="name"
        value={name()}
        onValue={setName}
        placeholder="e.g. pve1"
        hint="Lower-case letters, digits and hyphens; usually the Proxmox host's name."
        error={action.error()?.field("name")}
        autofocus
      />
      <ErrorMessage error={action.error()} fields={["name"]} />
      <div class="actions">
        <Button onClick={() => props.onCancel()}>Cancel</Button>
        <Button type="submit" variant="primary" busy={action.pending()} busyLabel="Adding…">
          Add node
        </Button>
      </div>
    </form>
  );
}
