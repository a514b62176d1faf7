import type { Role, User } from "@pylon/shared";
import { createSignal } from "solid-js";
import { createAction } from "../../api/action.ts";
import { createUser } from "../../api/actions.ts";
import { isRole, ROLE_HELP, ROLES } from "../../api/roles.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";
import { SelectField } from "../../components/SelectField.tsx";

export const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: `${r} — ${ROLE_HELP[r]}` }));

/** Creates a user with a first password the admin hands over. */
export function UserCreateForm(props: { onCreated: (u: User) => void; onCancel: () => void }) {
  const [email, setEmail] = createSignal("");
  const [name, setName] = createSignal("");
  const [role, setRole] = createSignal<Role>("viewer");
  const [password, setPassword] = createSignal("");
  const action = createAction(createUser);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const u = await action.run({
      email: email().trim(),
      name: name().trim(),
      role: role(),
      password: password(),
    });
    if (u) props.onCreated(u);
  };
  return (
    <section class="card" aria-labelledby="new-user-title">
      <h2 id="new-user-title">New user</h2>
      <form onSubmit={submit} novalidate>
        <div class="grid-2">
          <Field
            label="Name"
            name="name"
            required
            value={name()}
            onValue={setName}
            error={action.error()?.field("name")}
          />
          <Field
            label="Email"
            type="email"
            name="email"
            required
            value={email()}
            onValue={setEmail}
            error={
              action.error()?.field("email") ??
              (action.error()?.code === "conflict" ? action.error()?.message : undefined)
            }
          />
          <SelectField
            label="Role"
            name="role"
            value={role()}
            onValue={(v) => isRole(v) && setRole(v)}
            options={ROLE_OPTIONS}
            error={action.error()?.field("role")}
          />
          <Field
            label="Password"
            type="password"
            name="password"
            autocomplete="new-password"
            hint="At least 12 characters. Hand it over safely; they can change it later."
            required
            value={password()}
            onValue={setPassword}
            error={action.error()?.field("password")}
          />
        </div>
        <ErrorMessage error={action.error()} fields={["name", "email", "role", "password"]} />
        <div class="actions">
          <Button onClick={() => props.onCancel()}>Cancel</Button>
          <Button type="submit" variant="primary" busy={action.pending()} busyLabel="Creating…">
            Create user
          </Button>
        </div>
      </form>
    </section>
  );
}
