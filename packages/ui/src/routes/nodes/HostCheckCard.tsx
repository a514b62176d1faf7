import { For, Show } from "solid-js";
import type { NodeDetail } from "../../api/queries.ts";
import { CopyButton } from "../../components/CopyButton.tsx";
import { Time } from "../../components/Time.tsx";

/**
 * What the agent's last host check found wrong: privileges its Proxmox token lacks for this
 * PVE version (after an in-place upgrade, say), with the one command that grants them, and
 * other problems (a PVE below 8.2, an API it cannot reach). Nothing is shown when all is well.
 */
export function HostCheckCard(props: { node: NodeDetail }) {
  const check = () => props.node.hostCheck;
  const failing = () => {
    const c = check();
    return c && (c.missingPrivileges.length > 0 || c.problems.length > 0) ? c : null;
  };
  return (
    <Show when={failing()}>
      {(c) => (
        <section class="card" aria-labelledby="host-check-title">
          <h2 id="host-check-title">The host needs attention</h2>
          <div class="alert alert-warning" role="alert">
            <For each={c().problems}>{(p) => <p>{p}</p>}</For>
            <Show when={c().missingPrivileges.length > 0}>
              <p>
                The agent's Proxmox API token lacks {c().missingPrivileges.join(", ")} on PVE{" "}
                {c().pveVersion ?? "?"}; jobs that need {c().missingPrivileges.length > 1 ? "them" : "it"}{" "}
                fail with “Permission check failed”.
              </p>
            </Show>
          </div>
          <Show when={c().fix}>
            {(fix) => (
              <>
                <p>Run this as root on the Proxmox host:</p>
                <div class="secret-row">
                  <textarea
                    class="secret command"
                    readOnly
                    rows={2}
                    aria-label="Fix command"
                    value={fix()}
                    onFocus={(e) => e.currentTarget.select()}
                  />
                  <CopyButton text={fix()} label="Copy command" />
                </div>
              </>
            )}
          </Show>
          <p class="muted">
            Checked <Time at={new Date(c().checkedAt).toISOString()} />; the agent checks again every minute.
          </p>
        </section>
      )}
    </Show>
  );
}
