import type { ApiToken } from "@pylon/shared";
import { createSignal, For, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { revokeToken } from "../../api/actions.ts";
import { Badge } from "../../components/Badge.tsx";
import { Button } from "../../components/Button.tsx";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { Time } from "../../components/Time.tsx";

interface TokenTableProps {
  tokens: ApiToken[];
  showOwner: boolean;
  ownerName: (userId: string) => string;
  onRevoked: () => void;
}

const expired = (t: ApiToken) => t.expiresAt !== null && new Date(t.expiresAt).getTime() <= Date.now();

/** The token list with last use and expiry, and revoke behind a confirmation. */
export function TokenTable(props: TokenTableProps) {
  const [revoking, setRevoking] = createSignal<ApiToken | null>(null);
  const action = createAction(revokeToken);
  const confirm = async (t: ApiToken) => {
    await action.run(t.id);
    if (!action.error()) {
      setRevoking(null);
      props.onRevoked();
    }
  };
  return (
    <Show when={props.tokens.length > 0} fallback={<p class="empty">No tokens yet.</p>}>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <Show when={props.showOwner}>
                <th scope="col">Owner</th>
              </Show>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={props.tokens}>
              {(t) => (
                <tr>
                  <td data-label="Name">
                    <strong>{t.name}</strong> <code class="muted">{t.prefix}…</code>
                  </td>
                  <Show when={props.showOwner}>
                    <td data-label="Owner">{props.ownerName(t.userId)}</td>
                  </Show>
                  <td data-label="Scopes">
                    <For each={t.scopes}>{(s) => <Badge>{s}</Badge>}</For>
                  </td>
                  <td data-label="Created">
                    <Time at={t.createdAt} />
                  </td>
                  <td data-label="Last used">
                    <Time at={t.lastUsedAt} never="never used" />
                  </td>
                  <td data-label="Expires">
                    <Show when={expired(t)} fallback={<Time at={t.expiresAt} never="never" />}>
                      <Badge tone="bad">expired</Badge>
                    </Show>
                  </td>
                  <td class="row-actions">
                    <Button
                      variant="danger"
                      onClick={() => setRevoking(t)}
                      aria-label={`Revoke token ${t.name}`}
                    >
                      Revoke
                    </Button>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={revoking()}>
        {(t) => (
          <ConfirmDialog
            title={`Revoke token “${t().name}”?`}
            confirmLabel="Revoke token"
            busyLabel="Revoking…"
            busy={action.pending()}
            error={action.error()}
            onConfirm={() => confirm(t())}
            onCancel={() => {
              action.clear();
              setRevoking(null);
            }}
          >
            <p>
              Scripts using the token <strong>{t().name}</strong> ({t().prefix}…) stop working at once. This
              cannot be undone.
            </p>
          </ConfirmDialog>
        )}
      </Show>
    </Show>
  );
}
