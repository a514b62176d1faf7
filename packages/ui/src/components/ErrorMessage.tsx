import { Show } from "solid-js";
import type { ApiError } from "../api/client.ts";

interface ErrorMessageProps {
  error: ApiError | null | undefined;
  /** Field paths the form shows under their inputs; when they cover every field error, the
   * summary only points at them instead of repeating them. */
  fields?: readonly string[];
}

/** An API error as a readable message beside what caused it, with the request id for support. */
export function ErrorMessage(props: ErrorMessageProps) {
  const text = (err: ApiError) => {
    const shown = props.fields ?? [];
    const covered =
      err.fields.length > 0 &&
      err.fields.every((f) => shown.some((s) => f.path === s || f.path.startsWith(`${s}.`)));
    return covered ? "Please correct the fields marked below." : err.message;
  };
  return (
    <Show when={props.error}>
      {(err) => (
        <div class="alert alert-error" role="alert">
          <p>{text(err())}</p>
          <Show when={err().requestId}>{(id) => <p class="request-id">Request {id()}</p>}</Show>
        </div>
      )}
    </Show>
  );
}
