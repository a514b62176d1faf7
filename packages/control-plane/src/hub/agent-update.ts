// Agents keep themselves current (issue 11): the control plane tells an agent older than the
// bundle it serves to update (at hello, or when an admin asks), and records how it goes on the
// node (`nodes.agent_update`) from the agent's `updating` frames and its next hello.
import type { AgentFrame, AgentUpdate } from "@pylon/shared";
import { compareVersions } from "@pylon/shared/versions";
import { eq } from "drizzle-orm";
import { nodes } from "../db/schema/index.ts";
import type { SessionDeps } from "./session-context.ts";
import type { Outgoing } from "./session-jobs.ts";

type Deps = Pick<SessionDeps, "db" | "now" | "agentBundle">;

async function currentUpdate(deps: Deps, nodeId: string): Promise<AgentUpdate | null> {
  const [row] = await deps.db.select({ u: nodes.agentUpdate }).from(nodes).where(eq(nodes.id, nodeId));
  return row?.u ?? null;
}

async function setUpdate(deps: Deps, nodeId: string, u: AgentUpdate): Promise<void> {
  await deps.db.update(nodes).set({ agentUpdate: u }).where(eq(nodes.id, nodeId));
}

/**
 * Orders the agent to update itself to the served bundle: when it is older (at hello; not again
 * to a version it already failed to reach), or when an admin asks (`force`). An update in flight
 * whose target version said hello is done.
 */
export async function offerAgentUpdate(
  deps: Deps,
  nodeId: string,
  opts: { force: boolean; helloVersion?: string; agentVersion?: string },
  send: (frame: Extract<Outgoing, { type: "update" }>) => void,
): Promise<void> {
  const bundle = await deps.agentBundle?.();
  const current = await currentUpdate(deps, nodeId);
  const now = new Date(deps.now()).toISOString();
  if (opts.helloVersion && current?.state === "updating") {
    if (opts.helloVersion === current.to)
      await setUpdate(deps, nodeId, { ...current, state: "succeeded", finishedAt: now, message: null });
    // Back on the old version: the rolled-back agent says why (an `updating` frame).
    return;
  }
  const from = opts.helloVersion ?? opts.agentVersion;
  if (!bundle || !from) return;
  if (!opts.force) {
    if (compareVersions(from, bundle.version) >= 0) return;
    if (current?.state === "failed" && current.to === bundle.version) return;
  }
  await setUpdate(deps, nodeId, {
    state: "updating",
    from,
    to: bundle.version,
    startedAt: now,
    finishedAt: null,
    message: null,
  });
  send({ type: "update", version: bundle.version, sha256: bundle.sha256, url: "/install/agent.mjs" });
}

/** Records an agent's report on its update (downloading, failed, rolled back, …). */
export async function recordUpdating(
  deps: Deps,
  nodeId: string,
  frame: Extract<AgentFrame, { type: "updating" }>,
): Promise<void> {
  const current = await currentUpdate(deps, nodeId);
  const now = new Date(deps.now()).toISOString();
  const base = current ?? { from: frame.from, to: frame.to, startedAt: now };
  if (frame.state === "failed" || frame.state === "rolled_back") {
    const why =
      frame.state === "rolled_back" ? `rolled back to ${frame.from}: ${frame.message ?? ""}` : frame.message;
    await setUpdate(deps, nodeId, {
      ...base,
      state: "failed",
      finishedAt: now,
      message: why?.trim() || null,
    });
  } else
    await setUpdate(deps, nodeId, { ...base, state: "updating", finishedAt: null, message: frame.state });
}
