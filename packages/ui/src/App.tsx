import { type Component, createEffect, Match, onMount, Show, Switch } from "solid-js";
import { Dynamic } from "solid-js/web";
import { roleAtLeast } from "./api/roles.ts";
import { Button } from "./components/Button.tsx";
import { ErrorMessage } from "./components/ErrorMessage.tsx";
import { lazyScreen } from "./components/LazyScreen.tsx";
import { ScreenBoundary } from "./components/ScreenBoundary.tsx";
import { Shell } from "./components/Shell.tsx";
import { loadSession, session, sessionIs } from "./context/session.ts";
import { currentPath } from "./router/router.tsx";
import { Account } from "./routes/Account.tsx";
import { Audit } from "./routes/audit/Audit.tsx";
import { Job } from "./routes/jobs/Job.tsx";
import { Jobs } from "./routes/jobs/Jobs.tsx";
import { NotFound } from "./routes/NotFound.tsx";
import { NodePage } from "./routes/nodes/NodePage.tsx";
import { Nodes } from "./routes/nodes/Nodes.tsx";
import { Overview } from "./routes/overview/Overview.tsx";
import { Setup } from "./routes/Setup.tsx";
import { SignIn } from "./routes/SignIn.tsx";
import { Settings } from "./routes/settings/Settings.tsx";
import { type ScreenId, screenAt } from "./routes/table.ts";
import { Tokens } from "./routes/tokens/Tokens.tsx";
import { Users } from "./routes/users/Users.tsx";

/** Screens get the path parameters (`/nodes/:id` → `params.id`). */
export type ScreenProps = { params: Record<string, string> };

// The app screens load on first use (their own chunks), so they do not count against the
// initial JavaScript budget of issue 6.
const Apps = lazyScreen(() => import("./routes/apps/Apps.tsx").then((m) => m.Apps));
const AppPage = lazyScreen(() => import("./routes/apps/AppPage.tsx").then((m) => m.AppPage));
const NewApp = lazyScreen(() => import("./routes/apps/new/NewApp.tsx").then((m) => m.NewApp));
const Catalog = lazyScreen(() => import("./routes/catalog/Catalog.tsx").then((m) => m.Catalog));

const SCREENS: Record<ScreenId, Component<ScreenProps>> = {
  overview: Overview,
  apps: Apps,
  catalog: Catalog,
  "new-app": NewApp,
  app: AppPage,
  nodes: Nodes,
  node: NodePage,
  jobs: Jobs,
  job: Job,
  account: Account,
  tokens: Tokens,
  users: Users,
  audit: Audit,
  settings: Settings,
};

/** The screen for the current path, or "not found" (also for screens above the user's role). */
function Screen(props: { role: Parameters<typeof roleAtLeast>[0] }) {
  const screen = () => {
    const m = screenAt(currentPath());
    return m && roleAtLeast(props.role, m.entry.role) ? m : undefined;
  };
  createEffect(() => {
    document.title = `${screen()?.entry.label ?? "Not found"} · Pylon`;
  });
  return (
    // Keyed: another path (another node, another job) is a fresh screen with its own state.
    <Show when={screen()} fallback={<NotFound />} keyed>
      {(m) => (
        <ScreenBoundary>
          <Dynamic component={SCREENS[m.entry.id]} params={m.params} />
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
