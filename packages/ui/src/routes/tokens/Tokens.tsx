import type { ApiToken } from "@pylon/shared";
import { createResource, createSignal, Show } from "solid-js";
import { listTokens, listUsers } from "../../api/queries.ts";
import { Async } from "../../components/Async.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { currentUser } from "../../context/session.ts";
import { TokenCreateForm } from "./TokenCreateForm.tsx";
import { TokenSecret } from "./TokenSecret.tsx";
import { TokenTable } from "./TokenTable.tsx";

/** API tokens: create (secret shown once), list, revoke. Admins may list everyone's. */
export function Tokens() {
  const isAdmin = () => currentUser()?.role === "admin";
  const [all, setAll] = createSignal(false);
  const [tokens, { refetch }] = createResource(
    () => ({ all: all() }),
    (s) => listTokens(s.all),
  );
  const [users] = createResource(
    () => all() && isAdmin(),
    () => listUsers().catch(() => []),
  );
  const [created, setCreated] = createSignal<{ token: ApiToken; secret: string } | null>(null);
  const ownerName = (id: string) => users()?.find((u) => u.id === id)?.name ?? id;

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens let scripts use the API as you (Authorization: Bearer pyl_…), limited to the scope you choose."
      />
      <Show when={created()}>{(c) => <TokenSecret created={c()} onDone={() => setCreated(null)} />}</Show>
      <TokenCreateForm
        onCreated={(c) => {
          setCreated(c);
          refetch();
        }}
      />
      <section class="card" aria-labelledby="tokens-title">
        <div class="card-head">
          <h2 id="tokens-title">{all() ? "Everyone's tokens" : "Your tokens"}</h2>
          <Show when={isAdmin()}>
            <label class="check">
              <input type="checkbox" checked={all()} onChange={(e) => setAll(e.currentTarget.checked)} />
              Show every user's tokens
            </label>
          </Show>
        </div>
        <Async resource={tokens} onRetry={refetch} what="tokens">
          {(list) => (
            <TokenTable tokens={list()} showOwner={all()} ownerName={ownerName} onRevoked={refetch} />
          )}
        </Async>
      </section>
    </>
  );
}
