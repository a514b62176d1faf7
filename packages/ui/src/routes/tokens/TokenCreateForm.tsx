import type { ApiToken, Scope } from "@pylon/shared";
import { createSignal, For, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { createToken } from "../../api/actions.ts";
import { grantableScopes, SCOPE_HELP } from "../../api/roles.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";
import { SelectField } from "../../components/SelectField.tsx";
import { currentUser } from "../../context/session.ts";

const EXPIRY = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "", label: "Never" },
];

/** Creates a token with one scope (each scope includes the weaker ones), limited by the role. */
export function TokenCreateForm(props: { onCreated: (c: { token: ApiToken; secret: string }) => void }) {
  const [name, setName] = createSignal("");
  const [scope, setScope] = createSignal<Scope>("read");
  const [expiry, setExpiry] = createSignal("90");
  const action = createAction(createToken);
  const scopes = () => grantableScopes(currentUser()?.role ?? "viewer");

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const days = expiry() ? Number(expiry()) : undefined;
    const made = await action.run({ name: name().trim(), scopes: [scope()], expiresInDays: days });
    if (made) {
      setName("");
      props.onCreated(made);
    }
  };

  return (
    <section class="card" aria-labelledby="new-token-title">
      <h2 id="new-token-title">New token</h2>
      <form onSubmit={submit} novalidate>
        <div class="grid-2">
          <Field
            label="Name"
            name="name"
            hint="What it is for, e.g. “CI deploys”."
            required
            value={name()}
            onValue={setName}
            error={action.error()?.field("name")}
          />
          <SelectField
            label="Expires"
            name="expires"
            value={expiry()}
            onValue={setExpiry}
            options={EXPIRY}
            error={action.error()?.field("expiresInDays")}
          />
        </div>
        <fieldset class="field">
          <legend>Scope</legend>
          <For each={scopes()}>
            {(s) => (
              <label class="radio">
                <input
                  type="radio"
                  name="scope"
                  value={s}
                  checked={scope() === s}
                  onChange={() => setScope(s)}
                />
                <span>
                  <strong>{s}</strong> <span class="muted">— {SCOPE_HELP[s]}</span>
                </span>
              </label>
            )}
          </For>
          <Show when={action.error()?.field("scopes")}>{(m) => <p class="field-error">{m()}</p>}</Show>
        </fieldset>
        <ErrorMessage error={action.error()} fields={["name", "expiresInDays", "scopes"]} />
        <Button type="submit" variant="primary" busy={action.pending()} busyLabel="Creating…">
          Create token
        </Button>
      </form>
    </section>
  );
}
