import { Show } from "solid-js";
import { Button } from "../../../components/Button.tsx";

/** Back / Next, and Deploy on the last step (the form's submit button). */
export function WizardButtons(props: { first: boolean; last: boolean; busy: boolean; onBack: () => void }) {
  return (
    <div class="actions wizard-buttons">
      <Show when={!props.first}>
        <Button onClick={() => props.onBack()} disabled={props.busy}>
          Back
        </Button>
      </Show>
      <Button type="submit" variant="primary" busy={props.busy} busyLabel="Deploying…">
        {props.last ? "Deploy" : "Next"}
      </Button>
    </div>
  );
}
