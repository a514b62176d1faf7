import { type Component, createResource, Show } from "solid-js";
import { Dynamic } from "solid-js/web";

/**
 * A screen whose code loads on first use (its own chunk). Shows "Loading…" until then; a chunk
 * that fails to load throws into the screen's error boundary, which offers a reload.
 * (Solid's `lazy` would suspend the screen's own resources too, under a Suspense boundary.)
 */
export function lazyScreen<P extends object>(load: () => Promise<Component<P>>): Component<P> {
  let loaded: Component<P> | undefined;
  return (props: P) => {
    const [screen] = createResource(async () => {
      loaded ??= await load();
      return { component: loaded };
    });
    return (
      <Show
        when={screen()}
        fallback={
          <p class="loading" role="status">
            <span class="spinner" aria-hidden="true" /> Loading…
          </p>
        }
      >
        {(s) => <Dynamic component={s().component} {...props} />}
      </Show>
    );
  };
}
