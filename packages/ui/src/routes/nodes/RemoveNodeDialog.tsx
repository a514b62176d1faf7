import type { ApiError } from "../../api/client.ts";
import { TypeToConfirmDialog } from "../../components/TypeToConfirmDialog.tsx";

interface RemoveNodeDialogProps {
  name: string;
  busy: boolean;
  error: ApiError | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks for the node's name before removing it with its jobs and metrics. */
export function RemoveNodeDialog(props: RemoveNodeDialogProps) {
  return (
    <TypeToConfirmDialog
      title={`Remove node “${props.name}”?`}
      name={props.name}
      confirmLabel="Remove node"
      busyLabel="Removing…"
      busy={props.busy}
      error={props.error}
      onConfirm={props.onConfirm}
      onCancel={props.onCancel}
    >
      <p>
        Pylon forgets <strong>{props.name}</strong>, its job history and its metrics, and its agent can no
        longer connect. Guests on the host are not touched.
      </p>
    </TypeToConfirmDialog>
  );
}
