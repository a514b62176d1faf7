import { createEffect, type JSX } from "solid-js";
import { ThemeToggle } from "../components/ThemeToggle.tsx";

/** The frame of the signed-out screens (sign-in, setup): brand, a card, the theme toggle. */
export function AuthLayout(props: { title: string; children: JSX.Element }) {
  createEffect(() => {
    document.title = `${props.title} · Pylon`;
  });
  return (
    <div class="auth">
      <div class="auth-top">
        <span class="brand">
          <span class="brand-mark" aria-hidden="true" />
          Pylon
        </span>
        <ThemeToggle />
      </div>
      <main class="auth-card" id="main">
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </div>
  );
}
