// Who is signed in. The API client reports 401s here, which sends the user to the sign-in screen
// with a message saying why.
import type { User } from "@pylon/shared";
import { createSignal } from "solid-js";
import { type ApiError, asApiError, onUnauthorized, rememberCsrfToken } from "../api/client.ts";
import { getMe, type Me } from "../api/queries.ts";

export type SessionState =
  | { kind: "loading" }
  | { kind: "signed-in"; user: User }
  | { kind: "signed-out"; notice: string | null }
  | { kind: "unreachable"; error: ApiError };

export const EXPIRED_NOTICE = "Your session has expired; sign in again.";
export const ENDED_NOTICE =
  "Your session has ended (signed out elsewhere, or your account changed); sign in again.";

const [state, setState] = createSignal<SessionState>({ kind: "loading" });

/** The session state; screens read it to decide what to show. */
export const session = state;

/** The session state when it is of `kind`, else null (for `<Match when>`). */
export function sessionIs<K extends SessionState["kind"]>(
  kind: K,
): Extract<SessionState, { kind: K }> | null {
  const s = state();
  return s.kind === kind ? (s as Extract<SessionState, { kind: K }>) : null;
}

/** The signed-in user, or null. */
export function currentUser(): User | null {
  const s = state();
  return s.kind === "signed-in" ? s.user : null;
}

/** Records a successful sign-in (or setup, or a refreshed /me). */
export function signedIn(me: Me): void {
  rememberCsrfToken(me.csrfToken);
  setState({ kind: "signed-in", user: me.user });
}

/** Records a sign-out; `notice` is shown on the sign-in screen. */
export function signedOut(notice: string | null = null): void {
  setState({ kind: "signed-out", notice });
}

/** Updates the signed-in user after they changed (e.g. their own name or role). */
export function updateCurrentUser(user: User): void {
  if (currentUser()?.id === user.id) setState({ kind: "signed-in", user });
}

function lost(err: ApiError): void {
  const wasIn = state().kind === "signed-in";
  if (err.code === "session_expired") signedOut(EXPIRED_NOTICE);
  else signedOut(wasIn ? ENDED_NOTICE : null);
}

/**
 * Checks the session again when the tab comes back into view, so a session that expired while
 * the tab sat in the background shows the sign-in screen at once, not at the next click.
 */
async function recheck(): Promise<void> {
  if (document.visibilityState !== "visible" || state().kind !== "signed-in") return;
  try {
    signedIn(await getMe());
  } catch (e) {
    const err = asApiError(e);
    if (err.status === 401) lost(err);
  }
}

let watching = false;

/** Finds out who we are at start-up and wires the client's 401 reports to the sign-in screen. */
export async function loadSession(): Promise<void> {
  onUnauthorized(lost);
  if (!watching) {
    watching = true;
    document.addEventListener("visibilitychange", () => void recheck());
  }
  setState({ kind: "loading" });
  try {
    signedIn(await getMe());
  } catch (e) {
    const err = asApiError(e);
    if (err.status === 401) lost(err);
    else setState({ kind: "unreachable", error: err });
  }
}
