import type { CatalogSummary } from "@pylon/shared/catalog/schema";
import { For, Show } from "solid-js";
import { AppIcon } from "../../components/AppIcon.tsx";
import { Badge } from "../../components/Badge.tsx";
import { plural } from "../../lib/format.ts";
import { Link } from "../../router/router.tsx";

/** One catalog app: icon, name, version, description; details on demand; deploy for operators. */
export function CatalogCard(props: { entry: CatalogSummary; canDeploy: boolean }) {
  const e = () => props.entry;
  const titleId = () => `catalog-${e().id}`;
  return (
    <li class="card catalog-card" data-catalog={e().id} aria-labelledby={titleId()}>
      <div class="catalog-head">
        <AppIcon icon={e().icon} name={e().name} />
        <div>
          <h2 id={titleId()}>{e().name}</h2>
          <p class="muted small">
            {e().version} · <Badge>{e().category}</Badge>
          </p>
        </div>
      </div>
      <p>{e().description}</p>
      <details class="catalog-details">
        <summary>Details</summary>
        <dl class="facts small">
          <dt>Needs at least</dt>
          <dd>
            {plural(e().minResources.cores, "core")}, {e().minResources.memoryMiB} MiB memory,{" "}
            {e().minResources.diskGiB} GiB disk
          </dd>
          <Show when={e().parameters.length > 0}>
            <dt>Settings</dt>
            <dd>
              {e()
                .parameters.map((p) => p.label)
                .join(", ")}
            </dd>
          </Show>
          <Show when={e().volumes.length > 0}>
            <dt>Keeps data in</dt>
            <dd>
              <For each={e().volumes}>
                {(v, i) => (
                  <>
                    {i() > 0 ? ", " : ""}
                    <code>{v.path}</code> ({v.purpose})
                  </>
                )}
              </For>
            </dd>
          </Show>
          <Show when={e().tags.length > 0}>
            <dt>Tags</dt>
            <dd>{e().tags.join(", ")}</dd>
          </Show>
          <dt>Website</dt>
          <dd>
            <a href={e().website} target="_blank" rel="noopener noreferrer">
              {e().website}
            </a>
          </dd>
        </dl>
        <Show when={e().notes}>
          <p class="small">{e().notes}</p>
        </Show>
      </details>
      <Show when={props.canDeploy}>
        <div class="actions">
          <Link
            class="btn btn-primary"
            href={`/apps/new?catalog=${encodeURIComponent(e().id)}`}
            aria-label={`Deploy ${e().name}`}
          >
            Deploy
          </Link>
        </div>
      </Show>
    </li>
  );
}
