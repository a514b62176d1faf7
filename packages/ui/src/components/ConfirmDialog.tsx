import type { JSX } from "solid-js";
import type { ApiError } from "../api/client.ts";
import { Button } from "./Button.tsx";
import { Dialog } from "./Dialog.tsx";
import { ErrorMessage } from "./ErrorMessage.tsx";

interface ConfirmDialogProps {
  title: string;
  children: JSX.Element;
  confirmLabel: string;
  busyLabel?: string;
  busy: boolean;
  error: ApiError | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before a destructive action; stays open with the error if the action fails. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  return (
    <Dialog title={props.title} onClose={props.onCancel}>
      <div class="dialog-body">{props.children}</div>
      <ErrorMessage error={props.error} />
      <div class="actions">
        <Button onClick={() => props.onCancel()} data-autofocus>
          Cancel
        </Button>
        <Button
          variant="danger"
          busy={props.busy}
          busyLabel={props.busyLabel}
          onClick={() => props.onConfirm()}
        >
          {props.confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
