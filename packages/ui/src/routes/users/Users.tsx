import type { User } from "@pylon/shared";
import { createResource, createSignal, Show } from "solid-js";
import { listUsers } from "../../api/queries.ts";
import { Async } from "../../components/Async.tsx";
import { Button } from "../../components/Button.tsx";
import { Notice } from "../../components/Notice.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { UserCreateForm } from "./UserCreateForm.tsx";
import { UserTable } from "./UserTable.tsx";

/** Admin: the users, their roles and state; create, edit, disable, reset password, delete. */
export function Users() {
  const [users, { refetch }] = createResource(listUsers);
  const [creating, setCreating] = createSignal(false);
  const [notice, setNotice] = createSignal<string | null>(null);
  // The message appears with the refreshed list, so the two never disagree.
  const changed = (message: string) => {
    void Promise.resolve(refetch()).finally(() => setNotice(message));
  };
  return (
    <>
      <PageHeader title="Users" description="Who can sign in, and what their role lets them do.">
        <Show when={!creating()}>
          <Button
            variant="primary"
            onClick={() => {
              setNotice(null);
              setCreating(true);
            }}
          >
            New user
          </Button>
        </Show>
      </PageHeader>
      <Show when={creating()}>
        <UserCreateForm
          onCancel={() => setCreating(false)}
          onCreated={(u: User) => {
            setCreating(false);
            changed(`User ${u.name} (${u.email}) created.`);
          }}
        />
      </Show>
      <Show when={notice()}>
        <Notice kind="success">{notice()}</Notice>
      </Show>
      <section class="card" aria-label="User list">
        <Async resource={users} onRetry={refetch} what="users">
          {(list) => <UserTable users={list()} onChanged={changed} />}
        </Async>
      </section>
    </>
  );
}
