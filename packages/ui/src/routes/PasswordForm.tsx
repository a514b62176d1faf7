import { createSignal, Show } from "solid-js";
import { createAction } from "../api/action.ts";
import { changePassword } from "../api/actions.ts";
import { Button } from "../components/Button.tsx";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { Field } from "../components/Field.tsx";
import { Notice } from "../components/Notice.tsx";
import { passwordProblem } from "../lib/password.ts";

/** Changes one's own password; the API signs out every other session. */
export function PasswordForm() {
  const [current, setCurrent] = createSignal("");
  const [next, setNext] = createSignal("");
  const [confirm, setConfirm] = createSignal("");
  const [mismatch, setMismatch] = createSignal(false);
  const [tooShort, setTooShort] = createSignal<string | undefined>();
  const [done, setDone] = createSignal(false);
  const action = createAction(changePassword);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setDone(false);
    setMismatch(next() !== confirm());
    setTooShort(passwordProblem(next()));
    if (mismatch() || tooShort()) return;
    await action.run(current(), next());
    if (!action.error()) {
      setDone(true);
      setCurrent("");
      setNext("");
      setConfirm("");
    }
  };

  return (
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form onSubmit={submit} novalidate class="narrow">
        <Field
          label="Current password"
          type="password"
          name="currentPassword"
          autocomplete="current-password"
          required
          value={current()}
          onValue={setCurrent}
          error={action.error()?.field("currentPassword")}
        />
        <Field
          label="New password"
          type="password"
          name="newPassword"
          autocomplete="new-password"
          hint="At least 12 characters."
          required
          value={next()}
          onValue={setNext}
          error={tooShort() ?? action.error()?.field("newPassword")}
        />
        <Field
          label="Confirm new password"
          type="password"
          name="confirmPassword"
          autocomplete="new-password"
          required
          value={confirm()}
          onValue={setConfirm}
          error={mismatch() ? "does not match the new password" : undefined}
        />
        <ErrorMessage error={action.error()} fields={["currentPassword", "newPassword"]} />
        <Show when={done()}>
          <Notice kind="success">Password changed. Your other sessions have been signed out.</Notice>
        </Show>
        <Button type="submit" variant="primary" busy={action.pending()} busyLabel="Changing…">
          Change password
        </Button>
      </form>
    </section>
  );
}
