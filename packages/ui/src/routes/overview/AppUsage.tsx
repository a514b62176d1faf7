import type { App } from "@pylon/shared";
import { For, Show } from "solid-js";
import { formatBytes, formatPercent } from "../../lib/format.ts";
import { Link } from "../../router/router.tsx";

/** Each running app's current CPU and memory, from its guest's latest sample (one a minute). */
export function AppUsage(props: { apps: App[] }) {
  const running = () => props.apps.filter((a) => a.status === "running");
  return (
    <Show when={running().length > 0}>
      <div class="table-wrap">
        <table class="apps app-usage" aria-label="Running apps' usage">
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">CPU</th>
              <th scope="col">Memory</th>
            </tr>
          </thead>
          <tbody>
            <For each={running()}>
              {(a) => (
                <tr data-app={a.name}>
                  <td>
                    <Link href={`/apps/${a.id}`}>{a.name}</Link>
                  </td>
                  <Show
                    when={a.metrics}
                    fallback={
                      <td class="muted" colSpan={2}>
                        no figures yet
                      </td>
                    }
                  >
                    {(m) => (
                      <>
                        <td>{formatPercent(m().cpu)}</td>
                        <td>
                          {formatBytes(m().memUsed)} of {formatBytes(m().memTotal)}
                        </td>
                      </>
                    )}
                  </Show>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
