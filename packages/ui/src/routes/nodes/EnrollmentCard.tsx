import type { Node } from "@pylon/shared";
import { Match, Show, Switch } from "solid-js";
import type { Enrollment } from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { CopyButton } from "../../components/CopyButton.tsx";
import { Time } from "../../components/Time.tsx";
import { formatDateTime } from "../../lib/format.ts";

interface EnrollmentCardProps {
  nodeName: string;
  enrollment: Enrollment;
  /** The node as last polled, to show it coming online. */
  node: Node | undefined;
  onDone: () => void;
}

/** The one-time install command with a copy button and its expiry, then the node coming online. */
export function EnrollmentCard(props: EnrollmentCardProps) {
  const online = () => props.node?.status === "online";
  return (
    <section class="card card-highlight" aria-labelledby="enroll-title">
      <h2 id="enroll-title">Install the agent on “{props.nodeName}”</h2>
      <p>
        Run this as root on the Proxmox host. <strong>Copy it now: the token in it is shown once</strong> and
        works once. It expires <Time at={props.enrollment.expiresAt} /> (
        {formatDateTime(props.enrollment.expiresAt)}).
      </p>
      <Show when={props.enrollment.warning}>
        {(w) => (
          <div class="alert alert-warning" role="note">
            <p>{w()}</p>
          </div>
        )}
      </Show>
      <div class="secret-row">
        <textarea
          class="secret command"
          readOnly
          rows={3}
          aria-label="Install command"
          value={props.enrollment.installCommand}
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton text={props.enrollment.installCommand} label="Copy command" />
      </div>
      <p class="enroll-state" role="status" aria-live="polite">
        <Switch fallback={<span class="muted">Checking the node…</span>}>
          <Match when={online()}>
            <span class="dot dot-online" aria-hidden="true" /> <strong>{props.nodeName} is online.</strong>{" "}
            <Show when={props.node?.pveVersion}>{(v) => <span class="muted">Proxmox VE {v()}</span>}</Show>
          </Match>
          <Match when={props.node?.status === "offline"}>
            <span class="dot dot-offline" aria-hidden="true" /> The agent enrolled; waiting for it to connect…
          </Match>
          <Match when={props.node?.status === "pending"}>
            <span class="spinner" aria-hidden="true" /> Waiting for the agent…
          </Match>
        </Switch>
      </p>
      <div class="actions">
        <Button variant={online() ? "primary" : "secondary"} onClick={() => props.onDone()}>
          {online() ? "Done" : "Close"}
        </Button>
      </div>
    </section>
  );
}
