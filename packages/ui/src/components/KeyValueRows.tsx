import { For, Show } from "solid-js";

export interface KeyValueRow {
  id: number;
  key: string;
  value: string;
}

let nextId = 1;

/** A new row (ids only tell rows apart while editing). */
export const newRow = (key = "", value = ""): KeyValueRow => ({ id: nextId++, key, value });

/** Rows from a map, plus nothing else. */
export const rowsOf = (map: Record<string, string>): KeyValueRow[] =>
  Object.entries(map).map(([k, v]) => newRow(k, v));

/** The rows with a name, as a map (later rows win, as in a shell). */
export const mapOf = (rows: readonly KeyValueRow[]): Record<string, string> =>
  Object.fromEntries(rows.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value]));

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Our own check of a variable name, as the API checks it. */
export const nameProblem = (key: string): string | undefined =>
  key.trim() && !NAME.test(key.trim())
    ? "must be letters, digits and underscores, not starting with a digit"
    : undefined;

interface KeyValueRowsProps {
  /** The group's title, e.g. "Environment variables". */
  legend: string;
  /** Singular for the buttons, e.g. "variable". */
  noun: string;
  rows: KeyValueRow[];
  onRows: (rows: KeyValueRow[]) => void;
  /** Values are masked (secrets). */
  secret?: boolean;
  /** The API's message for a key, if it named one. */
  errorFor?: (key: string) => string | undefined;
  hint?: string;
}

/** Editable name/value rows (environment variables, secrets), each with its own error. */
export function KeyValueRows(props: KeyValueRowsProps) {
  const set = (id: number, part: Partial<KeyValueRow>) =>
    props.onRows(props.rows.map((r) => (r.id === id ? { ...r, ...part } : r)));
  return (
    <fieldset class="field kv">
      <legend>{props.legend}</legend>
      <Show when={props.hint}>
        <p class="hint">{props.hint}</p>
      </Show>
      <For each={props.rows} fallback={<p class="muted small">None.</p>}>
        {(row, i) => {
          const error = () => nameProblem(row.key) ?? props.errorFor?.(row.key.trim());
          return (
            <div class="kv-row" data-row={i()}>
              <input
                aria-label={`${props.noun} ${i() + 1} name`}
                class="mono"
                placeholder="NAME"
                spellcheck={false}
                value={row.key}
                onInput={(e) => set(row.id, { key: e.currentTarget.value })}
                aria-invalid={error() ? "true" : undefined}
              />
              <input
                aria-label={`${props.noun} ${i() + 1} value`}
                class="mono"
                type={props.secret ? "password" : "text"}
                autocomplete={props.secret ? "new-password" : "off"}
                spellcheck={false}
                placeholder="value"
                value={row.value}
                onInput={(e) => set(row.id, { value: e.currentTarget.value })}
              />
              <button
                type="button"
                class="btn btn-ghost"
                aria-label={`Remove ${props.noun} ${i() + 1}`}
                onClick={() => props.onRows(props.rows.filter((r) => r.id !== row.id))}
              >
                ✕
              </button>
              <Show when={error()}>
                <p class="field-error kv-error">
                  {row.key.trim() || `${props.noun} ${i() + 1}`}: {error()}
                </p>
              </Show>
            </div>
          );
        }}
      </For>
      <div>
        <button
          type="button"
          class="btn btn-secondary"
          onClick={() => props.onRows([...props.rows, newRow()])}
        >
          Add {props.noun}
        </button>
      </div>
    </fieldset>
  );
}
