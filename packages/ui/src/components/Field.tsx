import { createUniqueId, type JSX, Show, splitProps } from "solid-js";

type FieldProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "onInput" | "value"> & {
  label: string;
  value: string;
  onValue: (v: string) => void;
  /** The API's (or our own) message for this field. */
  error?: string;
  hint?: string;
};

/** A labelled text input with its hint and its error underneath. */
export function Field(props: FieldProps) {
  const [local, rest] = splitProps(props, ["label", "value", "onValue", "error", "hint", "id"]);
  const id = local.id ?? createUniqueId();
  const described = () =>
    [local.error ? `${id}-error` : "", local.hint ? `${id}-hint` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{local.label}</label>
      <input
        {...rest}
        id={id}
        value={local.value}
        onInput={(e) => local.onValue(e.currentTarget.value)}
        aria-invalid={local.error ? "true" : undefined}
        aria-describedby={described()}
      />
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
