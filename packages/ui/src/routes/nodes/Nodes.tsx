import type { Node } from "@pylon/shared";
import { createResource, createSignal, Show } from "solid-js";
import type { Enrollment } from "../../api/actions.ts";
import { listNodes } from "../../api/queries.ts";
import { roleAtLeast } from "../../api/roles.ts";
import { Async } from "../../components/Async.tsx";
import { Button } from "../../components/Button.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { currentUser } from "../../context/session.ts";
import { latest } from "../../lib/latest.ts";
import { createPoll } from "../../lib/poll.ts";
import { AddNodeForm } from "./AddNodeForm.tsx";
import { EnrollmentCard } from "./EnrollmentCard.tsx";
import { NodeTable } from "./NodeTable.tsx";

/** How often the list is read again: often while a node is coming online, else now and then. */
export const FAST_POLL_MS = 2000;
export const SLOW_POLL_MS = 30_000;

/** Whether any node on screen is waiting for its agent. */
export const anyWaiting = (nodes: readonly Node[] | undefined) =>
  !!nodes?.some((n) => n.status === "pending" || n.status === "offline");

/** The nodes: state and usage of each; admins add nodes and get the install command. */
export function Nodes() {
  const isAdmin = () => roleAtLeast(currentUser()?.role ?? "viewer", "admin");
  const [nodes, { refetch }] = createResource(listNodes);
  const [adding, setAdding] = createSignal(false);
  const [created, setCreated] = createSignal<{ node: Node; enrollment: Enrollment } | null>(null);
  createPoll(
    () => void refetch(),
    () => (anyWaiting(latest(nodes)) || created() ? FAST_POLL_MS : SLOW_POLL_MS),
  );
  const liveNode = (id: string) => latest(nodes)?.find((n) => n.id === id);
  return (
    <>
      <PageHeader title="Nodes" description="Proxmox VE hosts running the Pylon agent.">
        <Show when={isAdmin() && !adding() && !created()}>
          <Button variant="primary" onClick={() => setAdding(true)}>
            Add node
          </Button>
        </Show>
      </PageHeader>
      <Show when={adding()}>
        <AddNodeForm
          onCancel={() => setAdding(false)}
          onCreated={(c) => {
            setAdding(false);
            setCreated(c);
            void refetch();
          }}
        />
      </Show>
      <Show when={created()}>
        {(c) => (
          <EnrollmentCard
            nodeName={c().node.name}
            enrollment={c().enrollment}
            node={liveNode(c().node.id) ?? c().node}
            onDone={() => setCreated(null)}
          />
        )}
      </Show>
      <section class="card" aria-label="Nodes">
        <Async resource={nodes} onRetry={refetch} what="nodes">
          {(list) => <NodeTable nodes={list()} canAdd={isAdmin()} />}
        </Async>
      </section>
    </>
  );
}
