import { createResource, createSignal, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { getNotifications, setNotificationWebhook, testNotification } from "../../api/schedules.ts";
import { Async } from "../../components/Async.tsx";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";

/** Where failure notices go: one JSON webhook (ntfy, Discord, Slack or your own); the URL is never shown again. */
export function NotificationsCard() {
  const [current, { refetch }] = createResource(getNotifications);
  const [url, setUrl] = createSignal("");
  const [tested, setTested] = createSignal<string | null>(null);
  const save = createAction(setNotificationWebhook);
  const test = createAction(testNotification);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (await save.run(url().trim() || null)) {
      setUrl("");
      void refetch();
    }
  };
  const tryIt = async () => {
    const r = await test.run();
    if (r) setTested(r.delivered ? `Delivered (${r.detail})` : `Not delivered: ${r.detail}`);
  };
  return (
    <section class="card" aria-labelledby="notifications-title">
      <h2 id="notifications-title">Failure notifications</h2>
      <p class="muted">
        Failed backups, restore drills and deploys, missed scheduled runs and nodes going offline are sent as
        JSON (fields text, content, title, event, app, node, at) to one webhook: an ntfy topic URL, a Discord
        or Slack incoming webhook, or your own.
      </p>
      <Async resource={current} onRetry={refetch} what="the notification settings">
        {(c) => (
          <p data-testid="webhook">
            {c().webhook
              ? `Sending to ${c().webhook?.origin} (the full URL is kept secret)`
              : "No webhook set"}
          </p>
        )}
      </Async>
      <form class="inline-form" onSubmit={submit}>
        <Field
          label="Webhook URL"
          name="webhook-url"
          type="url"
          value={url()}
          onValue={setUrl}
          hint="Empty and save to stop notifications."
          error={save.error()?.field("webhookUrl")}
        />
        <Button type="submit" variant="primary" busy={save.pending()} busyLabel="Saving…">
          Save
        </Button>
        <Button busy={test.pending()} busyLabel="Sending…" onClick={() => void tryIt()}>
          Send a test
        </Button>
      </form>
      <Show when={tested()}>{(t) => <p aria-live="polite">{t()}</p>}</Show>
      <ErrorMessage error={save.error() ?? test.error()} fields={["webhookUrl"]} />
    </section>
  );
}
