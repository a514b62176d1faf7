import type { User } from "@pylon/shared";
import { createSignal, For, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { deleteUser } from "../../api/actions.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { UserEditDialog } from "./UserEditDialog.tsx";
import { UserRow } from "./UserRow.tsx";

/** The user list; editing and deleting open dialogs. */
export function UserTable(props: { users: User[]; onChanged: (message: string) => void }) {
  const [editing, setEditing] = createSignal<User | null>(null);
  const [deleting, setDeleting] = createSignal<User | null>(null);
  const remove = createAction(deleteUser);
  const confirmDelete = async (u: User) => {
    await remove.run(u.id);
    if (!remove.error()) {
      setDeleting(null);
      props.onChanged(`User ${u.name} deleted.`);
    }
  };
  return (
    <>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={props.users}>
              {(u) => (
                <UserRow user={u} onEdit={setEditing} onDelete={setDeleting} onChanged={props.onChanged} />
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={editing()}>
        {(u) => (
          <UserEditDialog
            user={u()}
            onClose={() => setEditing(null)}
            onSaved={(msg) => {
              setEditing(null);
              props.onChanged(msg);
            }}
          />
        )}
      </Show>
      <Show when={deleting()}>
        {(u) => (
          <ConfirmDialog
            title={`Delete user ${u().name}?`}
            confirmLabel={`Delete ${u().name}`}
            busyLabel="Deleting…"
            busy={remove.pending()}
            error={remove.error()}
            onConfirm={() => confirmDelete(u())}
            onCancel={() => {
              remove.clear();
              setDeleting(null);
            }}
          >
            <p>
              <strong>{u().name}</strong> ({u().email}) will no longer be able to sign in, and their API
              tokens stop working. The audit log keeps their past actions. To keep the account but block it,
              disable it instead.
            </p>
          </ConfirmDialog>
        )}
      </Show>
    </>
  );
}
