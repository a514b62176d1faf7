import { currentTheme, toggleTheme } from "../context/theme.ts";

/** Switches between dark and light; the choice is remembered in this browser. */
export function ThemeToggle() {
  const next = () => (currentTheme() === "dark" ? "light" : "dark");
  return (
    <button
      type="button"
      class="btn btn-ghost theme-toggle"
      onClick={toggleTheme}
      aria-label={`Switch to ${next()} theme`}
      title={`Switch to ${next()} theme`}
    >
      <span aria-hidden="true">{currentTheme() === "dark" ? "☀" : "☾"}</span>
    </button>
  );
}
