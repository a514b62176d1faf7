import { type Component, createEffect, Match, onMount, Show, Switch } from "solid-js";
import { Dynamic } from "solid-js/web";
import { roleAtLeast } from "./api/roles.ts";
import { Button } from "./components/Button.tsx";
import { ErrorMessage } from "./components/ErrorMessage.tsx";
import { ScreenBoundary } from "./components/ScreenBoundary.tsx";
import { Shell } from "./components/Shell.tsx";
import { loadSession, session, sessionIs } from "./context/session.ts";
import { currentPath, navigate } from "./router/router.tsx";
import { Account } from "./routes/Account.tsx";
import { Audit } from "./routes/audit/Audit.tsx";
import { NotFound } from "./routes/NotFound.tsx";
import { Setup } from "./routes/Setup.tsx";
import { SignIn } from "./routes/SignIn.tsx";
import { Settings } from "./routes/settings/Settings.tsx";
import { HOME, type ScreenId, screenAt } from "./routes/table.ts";
import { Tokens } from "./routes/tokens/Tokens.tsx";
import { Users } from "./routes/users/Users.tsx";

const SCREENS: Record<ScreenId, Component> = {
  account: Account,
  tokens: Tokens,
  users: Users,
  audit: Audit,
  settings: Settings,
};

/** The screen for the current path, or "not found" (also for screens above the user's role). */
function Screen(props: { role: Parameters<typeof roleAtLeast>[0] }) {
  const entry = () => {
    const e = screenAt(currentPath());
    return e && roleAtLeast(props.role, e.role) ? e : undefined;
  };
  createEffect(() => {
    if (currentPath() === "/") navigate(HOME, { replace: true });
    document.title = `${entry()?.label ?? "Not found"} · Pylon`;
  });
  return (
    <Show when={entry()} fallback={<NotFound />}>
      {(e) => (
        <ScreenBoundary>
          <Dynamic component={SCREENS[e().id]} />
        </ScreenBoundary>
      )}
    </Show>
  );
}

/** The dashboard: setup, sign-in, or the signed-in shell, depending on the session. */
export function App() {
  onMount(() => {
    void loadSession();
  });
  const state = session;
  return (
    <Switch>
      <Match when={currentPath() === "/setup"}>
        <Setup />
      </Match>
      <Match when={state().kind === "loading"}>
        <p class="splash" role="status">
          <span class="spinner" aria-hidden="true" /> Loading Pylon…
        </p>
      </Match>
      <Match when={sessionIs("unreachable")}>
        {(s) => (
          <main class="splash">
            <ErrorMessage error={s().error} />
            <Button variant="primary" onClick={() => void loadSession()}>
              Retry
            </Button>
          </main>
        )}
      </Match>
      <Match when={sessionIs("signed-out")}>{(s) => <SignIn notice={s().notice} />}</Match>
      <Match when={sessionIs("signed-in")}>
        {(s) => (
          <Shell>
            <Screen role={s().user.role} />
          </Shell>
        )}
      </Match>
    </Switch>
  );
}
