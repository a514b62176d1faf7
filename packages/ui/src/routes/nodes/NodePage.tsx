import { createResource, Show } from "solid-js";
import { asApiError } from "../../api/client.ts";
import { getNode, getNodeMetrics } from "../../api/queries.ts";
import { roleAtLeast } from "../../api/roles.ts";
import { Async } from "../../components/Async.tsx";
import { MetricsCharts } from "../../components/MetricsCharts.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { currentUser } from "../../context/session.ts";
import { latest } from "../../lib/latest.ts";
import { createPoll } from "../../lib/poll.ts";
import { Link } from "../../router/router.tsx";
import { BackupScheduleCard } from "./BackupScheduleCard.tsx";
import { BackupStorageCard } from "./BackupStorageCard.tsx";
import { HostCheckCard } from "./HostCheckCard.tsx";
import { InventorySection } from "./InventorySection.tsx";
import { NodeAdminActions } from "./NodeAdminActions.tsx";
import { NodeStatus } from "./NodeStatus.tsx";
import { NodeSummary } from "./NodeSummary.tsx";
import { FAST_POLL_MS } from "./Nodes.tsx";
import { VmTemplateCard } from "./VmTemplateCard.tsx";

/** One node: summary, usage over time, inventory with power buttons, and admin actions. */
export function NodePage(props: { params: Record<string, string> }) {
  const id = () => props.params.id ?? "";
  const role = () => currentUser()?.role ?? "viewer";
  const [node, { refetch }] = createResource(id, getNode);
  // Often while the node is coming online (or going away), else now and then for fresh figures.
  const settled = () => {
    const status = latest(node)?.status;
    return !status || status === "online" || status === "revoked";
  };
  createPoll(
    () => void refetch(),
    () => (settled() ? 15_000 : FAST_POLL_MS),
  );
  return (
    <>
      <p class="breadcrumb">
        <Link href="/nodes">← Nodes</Link>
      </p>
      <Show
        when={!(node.error && asApiError(node.error).status === 404)}
        fallback={<PageHeader title="Node not found" description="It may have been removed." />}
      >
        <Async resource={node} onRetry={refetch} what="the node">
          {(n) => (
            <>
              <PageHeader title={n().name}>
                <NodeStatus node={n()} />
              </PageHeader>
              <HostCheckCard node={n()} />
              <NodeSummary node={n()} canUpdateAgent={roleAtLeast(role(), "admin")} onChanged={refetch} />
              <MetricsCharts id={n().id} load={getNodeMetrics} />
              <InventorySection
                node={n()}
                canOperate={roleAtLeast(role(), "operator")}
                onRefreshed={refetch}
              />
              <Show when={roleAtLeast(role(), "admin")}>
                <VmTemplateCard node={n()} />
                <BackupStorageCard node={n()} onSaved={refetch} />
                <BackupScheduleCard node={n()} onSaved={refetch} />
                <NodeAdminActions node={n()} onChanged={refetch} />
              </Show>
            </>
          )}
        </Async>
      </Show>
    </>
  );
}
