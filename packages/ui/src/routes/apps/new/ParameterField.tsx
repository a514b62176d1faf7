import type { CatalogParameter } from "@pylon/shared/catalog/schema";
import { Match, Show, Switch } from "solid-js";
import { Field } from "../../../components/Field.tsx";
import { SecretField } from "../../../components/SecretField.tsx";
import { SelectField } from "../../../components/SelectField.tsx";
import { parameterHint } from "./draft.ts";

interface ParameterFieldProps {
  param: CatalogParameter;
  value: string | boolean | undefined;
  onValue: (v: string | boolean) => void;
  error?: string;
}

/** One catalog parameter as the right control: text, number, checkbox, select, or masked secret. */
export function ParameterField(props: ParameterFieldProps) {
  const p = () => props.param;
  const text = () => (typeof props.value === "string" ? props.value : "");
  const label = () => `${p().label}${p().required && p().type !== "boolean" ? " *" : ""}`;
  return (
    <Switch>
      <Match when={p().type === "boolean"}>
        <div class="field">
          <label class="check">
            <input
              type="checkbox"
              name={p().name}
              checked={props.value === true}
              onChange={(e) => props.onValue(e.currentTarget.checked)}
            />
            <span>{p().label}</span>
          </label>
          <Show when={p().description}>
            <p class="hint">{p().description}</p>
          </Show>
        </div>
      </Match>
      <Match when={p().type === "enum" && p()}>
        {(e) => (
          <SelectField
            label={label()}
            name={p().name}
            value={text()}
            onValue={props.onValue}
            options={[
              ...(p().required ? [] : [{ value: "", label: "(none)" }]),
              ...(e() as Extract<CatalogParameter, { type: "enum" }>).options.map((o) => ({
                value: o,
                label: o,
              })),
            ]}
            hint={parameterHint(p())}
            error={props.error}
          />
        )}
      </Match>
      <Match when={p().type === "secret"}>
        <SecretField
          label={label()}
          name={p().name}
          value={text()}
          onValue={props.onValue}
          hint={parameterHint(p())}
          error={props.error}
        />
      </Match>
      <Match when={true}>
        <Field
          label={label()}
          name={p().name}
          type={p().type === "number" ? "number" : inputType(p())}
          inputmode={p().type === "number" ? "decimal" : undefined}
          autocomplete="off"
          value={text()}
          onValue={props.onValue}
          hint={parameterHint(p())}
          error={props.error}
        />
      </Match>
    </Switch>
  );
}

function inputType(p: CatalogParameter): string {
  if (p.type !== "string") return "text";
  return p.format === "email" ? "email" : p.format === "url" ? "url" : "text";
}
