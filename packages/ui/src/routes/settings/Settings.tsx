import { createResource, Show } from "solid-js";
import { getHealth, getReadiness, getSettings } from "../../api/queries.ts";
import { Async } from "../../components/Async.tsx";
import { Badge } from "../../components/Badge.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { AutomationCard } from "./AutomationCard.tsx";
import { NotificationsCard } from "./NotificationsCard.tsx";

/** Admin: what this Pylon server is, and where its API is documented. */
export function Settings() {
  const [health, { refetch }] = createResource(() =>
    Promise.all([
      getHealth(),
      getReadiness().catch(() => ({ status: "not ready" })),
      getSettings().catch(() => undefined),
    ]),
  );
  return (
    <>
      <PageHeader
        title="Settings"
        description="This Pylon server. Server settings are PYLON_* environment variables."
      />
      <section class="card" aria-labelledby="server-title">
        <h2 id="server-title">Server</h2>
        <Async resource={health} onRetry={refetch} what="server status">
          {(h) => (
            <dl class="facts">
              <dt>Version</dt>
              <dd data-testid="version">{h()[0].version ?? "unknown"}</dd>
              <dt>Process</dt>
              <dd>
                <Badge tone={h()[0].status === "ok" ? "good" : "bad"}>{h()[0].status}</Badge>
              </dd>
              <dt>Database</dt>
              <dd>
                <Badge tone={h()[1].status === "ready" ? "good" : "bad"}>{h()[1].status}</Badge>
              </dd>
              <dt>Apps served at</dt>
              <dd data-testid="apps-domain">
                {h()[2]
                  ? `https://<name>.${h()[2]?.apps.domain}${h()[2]?.apps.httpsPort === 443 ? "" : `:${h()[2]?.apps.httpsPort}`}`
                  : "unknown"}
              </dd>
            </dl>
          )}
        </Async>
      </section>
      <Show when={health.latest?.[2]}>
        {(s) => <AutomationCard current={s().automation} onSaved={() => void refetch()} />}
      </Show>
      <NotificationsCard />
      <section class="card" aria-labelledby="api-title">
        <h2 id="api-title">API</h2>
        <ul class="links">
          <li>
            <a href="/api/docs" target="_blank" rel="noopener">
              Interactive API documentation
            </a>{" "}
            <span class="muted">— try every endpoint from the browser</span>
          </li>
          <li>
            <a href="/api/v1/openapi.json" target="_blank" rel="noopener">
              OpenAPI document
            </a>{" "}
            <span class="muted">— for generating clients</span>
          </li>
        </ul>
        <p class="hint">Scripts authenticate with an API token from the API tokens page.</p>
      </section>
    </>
  );
}
