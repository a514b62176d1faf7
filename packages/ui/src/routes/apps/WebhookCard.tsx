import type { App } from "@pylon/shared";
import { createResource, createSignal, Show } from "solid-js";
import { getAppWebhook } from "../../api/queries.ts";
import { Async } from "../../components/Async.tsx";
import { CopyButton } from "../../components/CopyButton.tsx";

/** The push-to-deploy webhook: its URL, and its secret masked until revealed, each with a copy button. */
export function WebhookCard(props: { app: App }) {
  const [hook, { refetch }] = createResource(() => props.app.id, getAppWebhook);
  const [shown, setShown] = createSignal(false);
  return (
    <section class="card" aria-labelledby="hook-title">
      <h2 id="hook-title">Push-to-deploy webhook</h2>
      <p class="muted">
        Add it to the repository with this secret (GitHub, Gitea, Forgejo: Settings → Webhooks, content type
        application/json; GitLab: Settings → Webhooks, as the Secret token, Push events); a push to the
        tracked branch redeploys the app.
      </p>
      <Async resource={hook} onRetry={refetch} what="the webhook">
        {(h) => (
          <>
            <div class="field">
              <label for="hook-url">Payload URL</label>
              <div class="secret-row">
                <input
                  id="hook-url"
                  class="secret"
                  readOnly
                  value={h().url}
                  onFocus={(e) => e.currentTarget.select()}
                />
                <CopyButton text={h().url} label="Copy URL" />
              </div>
            </div>
            <div class="field">
              <label for="hook-secret">Secret</label>
              <div class="secret-row">
                <input
                  id="hook-secret"
                  class="secret"
                  readOnly
                  type={shown() ? "text" : "password"}
                  value={h().secret}
                  onFocus={(e) => e.currentTarget.select()}
                />
                <button
                  type="button"
                  class="btn btn-secondary"
                  aria-pressed={shown()}
                  onClick={() => setShown(!shown())}
                >
                  {shown() ? "Hide" : "Reveal"}
                </button>
                <CopyButton text={h().secret} label="Copy secret" />
              </div>
            </div>
            <Show when={h().branch}>
              {(b) => (
                <p class="hint">
                  Tracks <code>{b()}</code>.
                </p>
              )}
            </Show>
          </>
        )}
      </Async>
    </section>
  );
}
