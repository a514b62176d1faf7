import { createResource, createSignal, Match, onCleanup, Switch } from "solid-js";
import { createAction } from "../api/action.ts";
import { completeSetup } from "../api/actions.ts";
import { getSetupStatus } from "../api/queries.ts";
import { Async } from "../components/Async.tsx";
import { Button } from "../components/Button.tsx";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { Field } from "../components/Field.tsx";
import { Notice } from "../components/Notice.tsx";
import { signedIn } from "../context/session.ts";
import { passwordProblem } from "../lib/password.ts";
import { Link, navigate } from "../router/router.tsx";
import { AuthLayout } from "./AuthLayout.tsx";
import { HOME } from "./table.ts";

/** Reads the setup secret from `#token=…` and takes it out of the address bar and history. */
function takeSetupToken(): string {
  const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? "";
  if (location.hash) history.replaceState(null, "", location.pathname);
  return token;
}

/** First run: create the first admin account with the link the server printed. */
export function Setup() {
  const [token, setToken] = createSignal(takeSetupToken());
  const [status, { refetch }] = createResource(getSetupStatus);
  const [name, setName] = createSignal("");
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [confirm, setConfirm] = createSignal("");
  const [mismatch, setMismatch] = createSignal(false);
  const [tooShort, setTooShort] = createSignal<string | undefined>();
  const action = createAction(completeSetup);
  // Pasting another link into the same tab changes only the fragment: no reload, so listen.
  const onHash = () => {
    const next = takeSetupToken();
    if (next) {
      setToken(next);
      action.clear();
    }
  };
  window.addEventListener("hashchange", onHash);
  onCleanup(() => window.removeEventListener("hashchange", onHash));

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    // Both checked before either stops the form: each field shows what is wrong with it.
    setMismatch(password() !== confirm());
    setTooShort(passwordProblem(password()));
    if (mismatch() || tooShort()) return;
    const me = await action.run({
      token: token(),
      name: name().trim(),
      email: email().trim(),
      password: password(),
    });
    if (me) {
      signedIn(me);
      navigate(HOME, { replace: true });
    }
  };

  return (
    <AuthLayout title="Set up Pylon">
      <Async resource={status} onRetry={refetch} what="setup status">
        {(s) => (
          <Switch>
            <Match when={!s().needed || action.error()?.code === "conflict"}>
              <Notice>Setup is already complete.</Notice>
              <p>
                <Link href={HOME}>Go to sign-in</Link>
              </p>
            </Match>
            <Match when={!token()}>
              <Notice kind="warning">
                This page needs the setup link the server printed when it started (it ends in
                <code>/setup#token=…</code>). Open that link, or restart Pylon for a new one.
              </Notice>
            </Match>
            <Match when={true}>
              <p class="muted">Create the first administrator account.</p>
              <form onSubmit={submit} novalidate>
                <Field
                  label="Name"
                  name="name"
                  autocomplete="name"
                  required
                  value={name()}
                  onValue={setName}
                  error={action.error()?.field("name")}
                />
                <Field
                  label="Email"
                  type="email"
                  name="email"
                  autocomplete="username"
                  required
                  value={email()}
                  onValue={setEmail}
                  error={action.error()?.field("email")}
                />
                <Field
                  label="Password"
                  type="password"
                  name="password"
                  autocomplete="new-password"
                  hint="At least 12 characters; a few words make a good one."
                  required
                  value={password()}
                  onValue={setPassword}
                  error={tooShort() ?? action.error()?.field("password")}
                />
                <Field
                  label="Confirm password"
                  type="password"
                  name="confirm"
                  autocomplete="new-password"
                  required
                  value={confirm()}
                  onValue={setConfirm}
                  error={mismatch() ? "does not match the password" : undefined}
                />
                <ErrorMessage error={action.error()} fields={["name", "email", "password"]} />
                <Button
                  type="submit"
                  variant="primary"
                  class="wide"
                  busy={action.pending()}
                  busyLabel="Creating account…"
                >
                  Create admin account
                </Button>
              </form>
            </Match>
          </Switch>
        )}
      </Async>
    </AuthLayout>
  );
}
