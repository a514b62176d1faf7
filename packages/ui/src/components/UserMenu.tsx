import { onCleanup, onMount, Show } from "solid-js";
import { createAction } from "../api/action.ts";
import { logout } from "../api/actions.ts";
import { currentUser, signedOut } from "../context/session.ts";
import { Link } from "../router/router.tsx";
import { Button } from "./Button.tsx";
import { ErrorMessage } from "./ErrorMessage.tsx";

/** The signed-in user's name, with their account link and sign-out. */
export function UserMenu() {
  let details: HTMLDetailsElement | undefined;
  const signOut = createAction(logout);
  const close = () => details?.removeAttribute("open");
  // A menu closes when the user clicks elsewhere or presses Escape (focus goes back to its button).
  const onDocClick = (e: MouseEvent) => {
    if (details && !details.contains(e.target as Node)) close();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape" && details?.open) {
      close();
      details.querySelector("summary")?.focus();
    }
  };
  onMount(() => {
    document.addEventListener("click", onDocClick);
    document.addEventListener("keydown", onKey);
  });
  onCleanup(() => {
    document.removeEventListener("click", onDocClick);
    document.removeEventListener("keydown", onKey);
  });
  const run = async () => {
    await signOut.run();
    const err = signOut.error();
    // 401: the session had already ended, which is what the user wanted.
    if (!err || err.status === 401) signedOut("You have signed out.");
  };
  return (
    <Show when={currentUser()}>
      {(user) => (
        <details class="user-menu" ref={details}>
          {/* Named by its content, so the name a screen reader says holds the text shown (WCAG 2.5.3). */}
          <summary>
            <span class="avatar" aria-hidden="true">
              {user().name.slice(0, 1).toUpperCase()}
            </span>
            <span class="visually-hidden">Account menu for </span>
            <span class="user-name">{user().name}</span>
          </summary>
          <div class="menu">
            <p class="menu-who">
              <strong>{user().name}</strong>
              <span class="muted">{user().email}</span>
              <span class="muted">Role: {user().role}</span>
            </p>
            <Link href="/account" onNavigate={close}>
              Account
            </Link>
            <a href="/api/docs" target="_blank" rel="noopener">
              API docs
            </a>
            <ErrorMessage error={signOut.error()} />
            <Button onClick={run} busy={signOut.pending()} busyLabel="Signing out…">
              Sign out
            </Button>
          </div>
        </details>
      )}
    </Show>
  );
}
