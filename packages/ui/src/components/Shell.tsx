import { createEffect, createSignal, type JSX, on } from "solid-js";
import { currentPath, Link } from "../router/router.tsx";
import { Nav } from "./Nav.tsx";
import { ThemeToggle } from "./ThemeToggle.tsx";
import { UserMenu } from "./UserMenu.tsx";

/** The signed-in frame: top bar (menu, brand, theme, user) and the navigation beside the screen. */
export function Shell(props: { children: JSX.Element }) {
  const [open, setOpen] = createSignal(false);
  let main: HTMLElement | undefined;
  // After an in-app navigation, move focus to the new screen so keyboard and screen-reader users
  // start there (as they would after a full page load).
  createEffect(on(currentPath, () => main?.focus({ preventScroll: true }), { defer: true }));
  return (
    <div class="shell" classList={{ "nav-open": open() }}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button
          type="button"
          class="btn btn-ghost menu-toggle"
          aria-expanded={open()}
          aria-controls="sidebar"
          onClick={() => setOpen(!open())}
        >
          <span aria-hidden="true">☰</span>
          <span class="visually-hidden">Menu</span>
        </button>
        <Link href="/" class="brand">
          <span class="brand-mark" aria-hidden="true" />
          Pylon
        </Link>
        <div class="topbar-end">
          <ThemeToggle />
          <UserMenu />
        </div>
      </header>
      <div class="sidebar" id="sidebar">
        <Nav onNavigate={() => setOpen(false)} />
      </div>
      <main id="main" class="content" tabIndex={-1} ref={main}>
        {props.children}
      </main>
    </div>
  );
}
