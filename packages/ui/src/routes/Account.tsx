import { Show } from "solid-js";
import { Badge } from "../components/Badge.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { currentUser } from "../context/session.ts";
import { PasswordForm } from "./PasswordForm.tsx";

/** The signed-in user's profile and password. */
export function Account() {
  return (
    <>
      <PageHeader title="Account" description="Your profile and password." />
      <Show when={currentUser()}>
        {(u) => (
          <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">Profile</h2>
            <dl class="facts">
              <dt>Name</dt>
              <dd>{u().name}</dd>
              <dt>Email</dt>
              <dd>{u().email}</dd>
              <dt>Role</dt>
              <dd>
                <Badge tone="accent">{u().role}</Badge>
              </dd>
            </dl>
            <p class="hint">An administrator can change your name or role.</p>
          </section>
        )}
      </Show>
      <PasswordForm />
    </>
  );
}
