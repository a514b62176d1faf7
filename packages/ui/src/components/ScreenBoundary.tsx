import { ErrorBoundary, type JSX } from "solid-js";
import { Button } from "./Button.tsx";

/** Catches a screen that failed to render and says so, instead of leaving a blank page. */
export function ScreenBoundary(props: { children: JSX.Element }) {
  return (
    <ErrorBoundary
      fallback={(err: unknown, reset) => (
        <div class="alert alert-error" role="alert">
          <p>This screen failed to show: {err instanceof Error ? err.message : String(err)}</p>
          <div class="actions">
            <Button onClick={reset}>Try again</Button>
            <Button onClick={() => location.reload()}>Reload the page</Button>
          </div>
        </div>
      )}
    >
      {props.children}
    </ErrorBoundary>
  );
}
