import { createSignal, type JSX } from "solid-js";
import type { ApiError } from "../api/client.ts";
import { Button } from "./Button.tsx";
import { Dialog } from "./Dialog.tsx";
import { ErrorMessage } from "./ErrorMessage.tsx";
import { Field } from "./Field.tsx";

interface TypeToConfirmDialogProps {
  title: string;
  /** What must be typed to confirm (the thing's name). */
  name: string;
  /** What will happen, and any options, above the name field. */
  children: JSX.Element;
  confirmLabel: string;
  busyLabel: string;
  busy: boolean;
  error: ApiError | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks for a thing's name before an action that cannot be undone; the button waits for it. */
export function TypeToConfirmDialog(props: TypeToConfirmDialogProps) {
  const [typed, setTyped] = createSignal("");
  const matches = () => typed().trim() === props.name;
  return (
    <Dialog title={props.title} onClose={props.onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (matches()) props.onConfirm();
        }}
      >
        <div class="dialog-body">
          {props.children}
          <Field
            label={`Type ${props.name} to confirm`}
            value={typed()}
            onValue={setTyped}
            autocomplete="off"
            spellcheck={false}
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
            busyLabel={props.busyLabel}
          >
            {props.confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
