import { createSignal } from "solid-js";
import type { ApiError } from "../../api/client.ts";
import { Button } from "../../components/Button.tsx";
import { Dialog } from "../../components/Dialog.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";

interface RemoveNodeDialogProps {
  name: string;
  busy: boolean;
  error: ApiError | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks for the node's name before removing it with its jobs and metrics. */
export function RemoveNodeDialog(props: RemoveNodeDialogProps) {
  const [typed, setTyped] = createSignal("");
  const matches = () => typed().trim() === props.name;
  return (
    <Dialog title={`Remove node “${props.name}”?`} onClose={props.onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (matches()) props.onConfirm();
        }}
      >
        <div class="dialog-body">
          <p>
            Pylon forgets <strong>{props.name}</strong>, its job history and its metrics, and its agent can no
            longer connect. Guests on the host are not touched.
          </p>
          <Field
            label={`Type ${props.name} to confirm`}
            value={typed()}
            onValue={setTyped}
            autocomplete="off"
          />
        </div>
        <ErrorMessage error={props.error} />
        <div class="actions">
          <Button onClick={() => props.onCancel()} data-autofocus>
            Cancel
          </Button>
          <Button
            type="submit"
            variant="danger"
            disabled={!matches()}
            busy={props.busy}
            busyLabel="Removing…"
          >
            Remove node
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
