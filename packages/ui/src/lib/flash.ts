// A message for the next screen, e.g. "Deleting web…" on the apps list after the app's page
// sent the delete: set just before navigating, read (and cleared) by the screen it is for.
import { createSignal } from "solid-js";

export interface Flash {
  /** The screen it is for. */
  path: string;
  /** The app it is about, so the screen can follow what became of it. */
  appId?: string;
  appName?: string;
  kind: "deleting";
}

const [pending, setPending] = createSignal<Flash | null>(null);

/** Leaves `f` for the screen at `f.path`. */
export function flash(f: Flash): void {
  setPending(f);
}

/** The message left for `path`, if any; it is taken (a second call returns null). */
export function takeFlash(path: string): Flash | null {
  const f = pending();
  if (f?.path !== path) return null;
  setPending(null);
  return f;
}
