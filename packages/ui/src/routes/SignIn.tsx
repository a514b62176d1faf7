import { createResource, createSignal, onCleanup, Show } from "solid-js";
import { createAction } from "../api/action.ts";
import { login } from "../api/actions.ts";
import { getSetupStatus } from "../api/queries.ts";
import { Button } from "../components/Button.tsx";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { Field } from "../components/Field.tsx";
import { Notice } from "../components/Notice.tsx";
import { signedIn } from "../context/session.ts";
import { AuthLayout } from "./AuthLayout.tsx";

/** Sign-in with email and password; says why the user is here (expired, signed out, throttled). */
export function SignIn(props: { notice: string | null }) {
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [wait, setWait] = createSignal(0);
  const [setup] = createResource(() => getSetupStatus().catch(() => ({ needed: false })));
  const action = createAction(login);
  let timer: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => clearInterval(timer));

  const countDown = (seconds: number) => {
    setWait(seconds);
    clearInterval(timer);
    timer = setInterval(() => {
      setWait((w) => Math.max(0, w - 1));
      if (wait() === 0) clearInterval(timer);
    }, 1000);
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const me = await action.run(email().trim(), password());
    if (me) {
      signedIn(me);
      return;
    }
    const err = action.error();
    if (err?.code === "too_many_requests" && err.retryAfter) countDown(err.retryAfter);
    if (err?.status === 401) setPassword("");
  };

  const throttleText = () =>
    wait() > 0
      ? `Too many failed sign-in attempts; try again in ${wait()} seconds.`
      : "You can try again now.";

  return (
    <AuthLayout title="Sign in to Pylon">
      <Show when={props.notice && !action.error()}>
        <Notice kind="warning">{props.notice}</Notice>
      </Show>
      <Show when={setup()?.needed}>
        <Notice>
          Pylon has no account yet. Open the setup link the server printed when it started (it ends in
          <code>/setup#token=…</code>).
        </Notice>
      </Show>
      <form onSubmit={submit} novalidate>
        <Field
          label="Email"
          type="email"
          name="email"
          autocomplete="username"
          autofocus
          required
          value={email()}
          onValue={setEmail}
          error={action.error()?.field("email")}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value={password()}
          onValue={setPassword}
          error={action.error()?.field("password")}
        />
        <Show
          when={action.error()?.code === "too_many_requests"}
          fallback={<ErrorMessage error={action.error()} fields={["email", "password"]} />}
        >
          <div class="alert alert-error" role="alert">
            <p>{throttleText()}</p>
          </div>
        </Show>
        <Button
          type="submit"
          variant="primary"
          class="wide"
          busy={action.pending()}
          busyLabel="Signing in…"
          disabled={wait() > 0}
        >
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
