import { type Accessor, type JSX, Match, type Resource, Switch } from "solid-js";
import { asApiError } from "../api/client.ts";
import { Button } from "./Button.tsx";
import { ErrorMessage } from "./ErrorMessage.tsx";

interface AsyncProps<T> {
  resource: Resource<T>;
  onRetry: () => void;
  /** What is loading, e.g. "users". */
  what: string;
  children: (value: Accessor<NonNullable<T>>) => JSX.Element;
}

/** Shows a resource: loading, its error with a retry button, or its value (kept while refreshing). */
export function Async<T>(props: AsyncProps<T>) {
  const value = () => (props.resource.state === "errored" ? undefined : props.resource.latest);
  return (
    <Switch>
      <Match when={props.resource.state === "errored"}>
        <div class="load-error">
          <ErrorMessage error={asApiError(props.resource.error)} />
          <Button onClick={() => props.onRetry()}>Retry</Button>
        </div>
      </Match>
      <Match when={value()}>{(v) => props.children(v)}</Match>
      <Match when={props.resource.loading}>
        <p class="loading" role="status">
          <span class="spinner" aria-hidden="true" /> Loading {props.what}…
        </p>
      </Match>
    </Switch>
  );
}
