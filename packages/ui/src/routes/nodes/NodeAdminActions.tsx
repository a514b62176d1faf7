import type { Node } from "@pylon/shared";
import { createSignal, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import {
  deleteNode,
  type Enrollment,
  newEnrollment,
  revokeCredential,
  rotateCredential,
} from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Notice } from "../../components/Notice.tsx";
import { navigate } from "../../router/router.tsx";
import { EnrollmentCard } from "./EnrollmentCard.tsx";
import { RemoveNodeDialog } from "./RemoveNodeDialog.tsx";

/** Admin: a new enrollment token, rotate or revoke the agent's credential, remove the node. */
export function NodeAdminActions(props: { node: Node; onChanged: () => void }) {
  const enroll = createAction(newEnrollment);
  const rotate = createAction(rotateCredential);
  const revoke = createAction(revokeCredential);
  const remove = createAction(deleteNode);
  const [enrollment, setEnrollment] = createSignal<Enrollment | null>(null);
  const [rotated, setRotated] = createSignal<string | null>(null);
  const [confirm, setConfirm] = createSignal<"revoke" | "remove" | null>(null);

  const issue = async () => {
    const e = await enroll.run(props.node.id);
    if (e) {
      setEnrollment(e);
      props.onChanged();
    }
  };
  const doRotate = async () => {
    setRotated(null);
    const r = await rotate.run(props.node.id);
    if (r) setRotated(r.credentialId);
  };
  const doRevoke = async () => {
    if (await revoke.run(props.node.id)) {
      setConfirm(null);
      props.onChanged();
    }
  };
  const doRemove = async () => {
    await remove.run(props.node.id);
    if (!remove.error()) navigate("/nodes");
  };

  return (
    <section class="card" aria-labelledby="admin-title">
      <h2 id="admin-title">Agent access</h2>
      <p class="muted">
        A new enrollment token lets you (re)install the agent. Rotating swaps the agent's credential while it
        is online; revoking disconnects it at once.
      </p>
      <div class="actions start">
        <Button onClick={() => void issue()} busy={enroll.pending()} busyLabel="Issuing…">
          New enrollment token
        </Button>
        <Show when={props.node.status === "online"}>
          <Button onClick={() => void doRotate()} busy={rotate.pending()} busyLabel="Rotating…">
            Rotate credential
          </Button>
        </Show>
        <Show when={props.node.status !== "revoked" && props.node.status !== "pending"}>
          <Button variant="danger" onClick={() => setConfirm("revoke")}>
            Revoke credential
          </Button>
        </Show>
        <Button variant="danger" onClick={() => setConfirm("remove")}>
          Remove node
        </Button>
      </div>
      <ErrorMessage error={enroll.error() ?? rotate.error()} />
      <Show when={rotated()}>
        {(id) => (
          <Notice kind="success">
            The agent confirmed its new credential (<code>{id()}</code>); the old one no longer works.
          </Notice>
        )}
      </Show>
      <Show when={enrollment()}>
        {(e) => (
          <EnrollmentCard
            nodeName={props.node.name}
            enrollment={e()}
            node={props.node}
            onDone={() => setEnrollment(null)}
          />
        )}
      </Show>
      <Show when={confirm() === "revoke"}>
        <ConfirmDialog
          title={`Revoke the credential of “${props.node.name}”?`}
          confirmLabel="Revoke credential"
          busyLabel="Revoking…"
          busy={revoke.pending()}
          error={revoke.error()}
          onConfirm={() => void doRevoke()}
          onCancel={() => {
            revoke.clear();
            setConfirm(null);
          }}
        >
          <p>
            The agent on <strong>{props.node.name}</strong> is disconnected at once and cannot reconnect. To
            use the node again, issue a new enrollment token and reinstall the agent.
          </p>
        </ConfirmDialog>
      </Show>
      <Show when={confirm() === "remove"}>
        <RemoveNodeDialog
          name={props.node.name}
          busy={remove.pending()}
          error={remove.error()}
          onConfirm={() => void doRemove()}
          onCancel={() => {
            remove.clear();
            setConfirm(null);
          }}
        />
      </Show>
    </section>
  );
}
