import { createSignal, createUniqueId, type JSX, Show, splitProps } from "solid-js";

type SecretFieldProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "onInput" | "value" | "type"> & {
  label: string;
  value: string;
  onValue: (v: string) => void;
  error?: string;
  hint?: string;
  /** A textarea (deploy keys) instead of a one-line input; masked the same way. */
  multiline?: boolean;
};

/** A labelled input for a secret: masked until the user asks to see it. */
export function SecretField(props: SecretFieldProps) {
  const [local, rest] = splitProps(props, ["label", "value", "onValue", "error", "hint", "id", "multiline"]);
  const id = local.id ?? createUniqueId();
  const [shown, setShown] = createSignal(false);
  const described = () =>
    [local.error ? `${id}-error` : "", local.hint ? `${id}-hint` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{local.label}</label>
      <div class="secret-input">
        <Show
          when={local.multiline}
          fallback={
            <input
              {...rest}
              id={id}
              type={shown() ? "text" : "password"}
              autocomplete="new-password"
              spellcheck={false}
              value={local.value}
              onInput={(e) => local.onValue(e.currentTarget.value)}
              aria-invalid={local.error ? "true" : undefined}
              aria-describedby={described()}
            />
          }
        >
          <textarea
            id={id}
            class="mono"
            classList={{ masked: !shown() }}
            rows={4}
            spellcheck={false}
            autocomplete="off"
            value={local.value}
            onInput={(e) => local.onValue(e.currentTarget.value)}
            aria-invalid={local.error ? "true" : undefined}
            aria-describedby={described()}
          />
        </Show>
        <button
          type="button"
          class="btn btn-ghost"
          aria-pressed={shown()}
          aria-label={`${shown() ? "Hide" : "Show"} ${local.label}`}
          onClick={() => setShown(!shown())}
        >
          {shown() ? "Hide" : "Show"}
        </button>
      </div>
      <Show when={local.hint}>
        <p class="hint" id={`${id}-hint`}>
          {local.hint}
        </p>
      </Show>
      <Show when={local.error}>
        <p class="field-error" id={`${id}-error`}>
          {local.error}
        </p>
      </Show>
    </div>
  );
}
