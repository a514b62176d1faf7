import type { Role, User } from "@pylon/shared";
import { createSignal } from "solid-js";
import { createAction } from "../../api/action.ts";
import { type UserPatch, updateUser } from "../../api/actions.ts";
import { isRole } from "../../api/roles.ts";
import { Button } from "../../components/Button.tsx";
import { Dialog } from "../../components/Dialog.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";
import { SelectField } from "../../components/SelectField.tsx";
import { updateCurrentUser } from "../../context/session.ts";
import { ROLE_OPTIONS } from "./UserCreateForm.tsx";

/** Edits a user's name and role, and optionally sets a new password for them. */
export function UserEditDialog(props: {
  user: User;
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const [name, setName] = createSignal(props.user.name);
  const [role, setRole] = createSignal<Role>(props.user.role);
  const [password, setPassword] = createSignal("");
  const action = createAction(updateUser);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const patch: UserPatch = {};
    if (name().trim() !== props.user.name) patch.name = name().trim();
    if (role() !== props.user.role) patch.role = role();
    if (password()) patch.password = password();
    if (Object.keys(patch).length === 0) return props.onClose();
    const u = await action.run(props.user.id, patch);
    if (u) {
      updateCurrentUser(u);
      props.onSaved(
        `${u.name} saved${patch.password ? "; their new password is set and their sessions ended" : ""}.`,
      );
    }
  };
  return (
    <Dialog title={`Edit ${props.user.name}`} onClose={props.onClose}>
      <p class="muted">{props.user.email}</p>
      <form onSubmit={submit} novalidate>
        <Field
          label="Name"
          name="name"
          required
          value={name()}
          onValue={setName}
          error={action.error()?.field("name")}
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
          label="Reset password"
          type="password"
          name="password"
          autocomplete="new-password"
          hint="Leave empty to keep the current password. At least 12 characters. A new password signs them out everywhere."
          value={password()}
          onValue={setPassword}
          error={action.error()?.field("password")}
        />
        <ErrorMessage error={action.error()} fields={["name", "role", "password"]} />
        <div class="actions">
          <Button onClick={() => props.onClose()}>Cancel</Button>
          <Button type="submit" variant="primary" busy={action.pending()} busyLabel="Saving…">
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
