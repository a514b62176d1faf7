// What a change about a node means for the agent session holding it: the one place both hubs (the
// in-memory one on Node, the Durable Object per node on Workers) turn a change into link traffic.
import { CLOSE } from "@pylon/shared";
import type { Logger } from "../lib/logger.ts";
import type { AgentSession } from "./agent-session.ts";
import { settle } from "./background.ts";
import type { Change } from "./change-bus.ts";

export function applyChangeToSession(session: AgentSession, c: Change, logger: Logger): void {
  switch (c.topic) {
    case "job.queued":
      session.jobs.dispatchSoon();
      return;
    case "job.cancel":
      if (c.jobId && session.jobs.inFlight.has(c.jobId)) session.send({ type: "cancel", jobId: c.jobId });
      return;
    case "node.revoked":
    case "node.deleted":
      session.close(CLOSE.revoked, c.topic === "node.deleted" ? "node deleted" : "credential revoked");
      return;
    case "node.rotate":
      void settle(logger, "credential rotation", () => session.rotate(), { nodeId: c.nodeId });
      return;
    case "node.update":
      void settle(logger, "agent update", () => session.update(true), { nodeId: c.nodeId });
      return;
    case "schedules.changed":
      void settle(logger, "schedule push", () => session.pushSchedules(), { nodeId: c.nodeId });
      return;
    default:
      return;
  }
}
