import type { App, Node } from "@pylon/shared";
import { Show } from "solid-js";
import { Time } from "../../components/Time.tsx";
import { plural } from "../../lib/format.ts";
import { Link } from "../../router/router.tsx";
import { AppLink } from "./AppLink.tsx";

/** The app's facts: URL, node and guest, resources, source and last deploy. */
export function AppSummary(props: { app: App; node: Node | null }) {
  const a = () => props.app;
  const noGuest = () => (a().status === "deploying" ? "not created yet" : "none");
  const gitHostKey = () => {
    const s = a().source;
    return s.type === "git" ? s.hostKey : null;
  };
  return (
    <section class="card" aria-label="App details">
      <Show when={a().status === "failed" && a().lastError}>
        <div class="alert alert-error" role="alert">
          <p>
            <strong>Failed: </strong>
            {a().lastError}
          </p>
        </div>
      </Show>
      <Show when={props.node?.simulated}>
        <div class="alert alert-info" role="note">
          <p>
            <strong>Simulated node: apps answer with a placeholder.</strong> The Proxmox simulator stands in
            for the guest and for Docker: a catalog app's containers are a small placeholder web server, not
            the app's image; a Git app runs its own start command where the simulator can.
          </p>
        </div>
      </Show>
      <dl class="facts">
        <dt>URL</dt>
        <dd>
          <AppLink url={a().url} />
        </dd>
        <dt>Node</dt>
        <dd>
          <Link href={`/nodes/${a().nodeId}`}>{props.node?.name ?? a().nodeId}</Link>
        </dd>
        <dt>Guest</dt>
        <dd data-testid="guest">
          {a().guest.type === "lxc" ? "LXC container" : "Virtual machine"}
          <Show when={a().guest.vmid} fallback={<span class="muted"> ({noGuest()})</span>}>
            {(v) => <> {v()}</>}
          </Show>
          <Show when={a().guest.address}>{(ip) => <span class="muted"> at {ip()}</span>}</Show>
          <Show when={a().guest.vmid && a().status === "deploying"}>
            <span class="muted"> (being set up)</span>
          </Show>
        </dd>
        <dt>Resources</dt>
        <dd data-testid="resources">
          {plural(a().resources.cores, "core")}, {a().resources.memoryMb} MiB memory, {a().resources.diskGb}{" "}
          GiB disk on {a().resources.storage}
        </dd>
        <dt>Source</dt>
        <dd data-testid="source">
          {(() => {
            const s = a().source;
            return s.type === "catalog" ? (
              <>
                Catalog: {s.name} {s.version}
              </>
            ) : (
              <>
                <code>{s.url}</code> at <code>{s.ref}</code>
                {s.subdirectory ? ` in ${s.subdirectory}` : ""} ({s.buildMode})
              </>
            );
          })()}
        </dd>
        <Show when={gitHostKey()}>
          {(k) => (
            <>
              <dt>Git host key</dt>
              <dd data-testid="git-host-key">
                <code>{k().fingerprint}</code>
                <span class="muted">
                  {k().keyType ? ` ${k().keyType}` : ""}
                  {k().pinned ? ", pinned" : ", trusted on first use (pin it in Settings)"}
                </span>
              </dd>
            </>
          )}
        </Show>
        <dt>Commit</dt>
        <dd>
          <Show when={a().commit} fallback={<span class="muted">—</span>}>
            {(c) => <code title={c()}>{c().slice(0, 12)}</code>}
          </Show>
        </dd>
        <dt>Last job</dt>
        <dd>
          <Show when={a().lastJobId} fallback={<span class="muted">none</span>}>
            {(j) => <Link href={`/jobs/${j()}`}>{j()}</Link>}
          </Show>
        </dd>
        <dt>Updated</dt>
        <dd>
          <Time at={a().updatedAt} />
        </dd>
      </dl>
    </section>
  );
}
