// Dark and light themes: follow the system until the user picks one; the pick is remembered.
import { createSignal } from "solid-js";

export type Theme = "light" | "dark";
const KEY = "pylon-theme";

function stored(): Theme | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : null;
  } catch {
    return null;
  }
}

function system(): Theme {
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches
    ? "dark"
    : "light";
}

const [theme, setThemeSignal] = createSignal<Theme>(stored() ?? system());

// Until the user picks a theme, follow the system setting as it changes.
if (typeof matchMedia === "function") {
  matchMedia("(prefers-color-scheme: dark)").addEventListener?.("change", () => {
    if (!stored()) setThemeSignal(system());
  });
}

/** The theme on screen now. */
export const currentTheme = theme;

/** Puts the remembered choice (if any) on <html>; with none, CSS follows prefers-color-scheme. */
export function applyStoredTheme(): void {
  const t = stored();
  if (t) document.documentElement.dataset.theme = t;
}

/** Switches to `t` and remembers it. */
export function setTheme(t: Theme): void {
  setThemeSignal(t);
  document.documentElement.dataset.theme = t;
  try {
    localStorage.setItem(KEY, t);
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}

export function toggleTheme(): void {
  setTheme(theme() === "dark" ? "light" : "dark");
}
