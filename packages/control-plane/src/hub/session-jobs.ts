import type { ServerFrame } from "@pylon/shared";
import {
  failJob,
  inFlightJobs,
  markAccepted,
  markOffered,
  offerableJobs,
  offerParams,
  requeue,
} from "../services/agent-jobs.ts";
import { settle } from "./background.ts";
import type { HubContext } from "./session-context.ts";

type Without<T> = T extends unknown ? Omit<T, "v"> : never;
/** A frame to the agent, before encodeFrame adds the version. */
export type Outgoing = Without<ServerFrame>;

export const OFFER_TIMEOUT_MS = 10_000;

/** The connection as the job flow needs it. */
export interface SessionLink {
  send(frame: Outgoing): void;
  readonly isClosed: boolean;
}

/**
 * The jobs of one agent connection: which are offered or running there, offering queued ones
 * while the agent has room, expiring offers it never answered, and matching the jobs the agent
 * says it holds (hello) against the database.
 */
export class SessionJobs {
  /** Jobs offered to or running on this agent, with when they were offered. */
  readonly inFlight = new Map<string, { offeredAt: number; accepted: boolean }>();
  /** Set once the agent is welcomed; nothing is offered before. */
  ready = false;
  /** Job kinds the agent announced in hello; others are never offered (an older agent cannot parse them). */
  private capabilities = new Set<string>();
  /** The connected agent's version, from its hello. */
  agentVersion = "";
  private dispatching = false;
  private dispatchAgain = false;

  constructor(
    private readonly nodeId: string,
    private readonly hub: HubContext,
    private readonly link: SessionLink,
  ) {}

  /** What the agent said about itself in hello. */
  setAgent(capabilities: readonly string[], version: string): void {
    this.capabilities = new Set(capabilities);
    this.agentVersion = version;
  }

  /**
   * After hello: jobs the agent holds are running (and told of a pending cancel); an offer that
   * never reached its journal is offered again; a running job it does not hold is asked about
   * (`absent` marks it lost).
   */
  async reconcile(held: ReadonlySet<string>, now: number): Promise<void> {
    const deps = this.hub.deps;
    for (const job of await inFlightJobs(deps, this.nodeId)) {
      if (held.has(job.id)) {
        this.inFlight.set(job.id, { offeredAt: now, accepted: true });
        await markAccepted(deps, this.nodeId, job.id);
        if (job.cancelRequested) this.link.send({ type: "cancel", jobId: job.id });
      } else if (job.status === "offered") {
        await requeue(deps, this.nodeId, job.id, 0);
      } else {
        this.inFlight.set(job.id, { offeredAt: now, accepted: true });
        this.link.send({ type: "status", jobId: job.id });
      }
    }
  }

  /** What the agent said in hello, to keep beside a hibernating socket (see `resume`). */
  get agent(): { capabilities: string[]; version: string } {
    return { capabilities: [...this.capabilities], version: this.agentVersion };
  }

  /**
   * Picks up a welcomed connection whose memory was lost (a Durable Object woken from
   * hibernation): the jobs offered or running on this node are in flight here again.
   */
  async resume(agent: { capabilities: readonly string[]; version: string }, now: number): Promise<void> {
    this.setAgent(agent.capabilities, agent.version);
    for (const job of await inFlightJobs(this.hub.deps, this.nodeId))
      this.inFlight.set(job.id, { offeredAt: now, accepted: job.status === "running" });
    this.ready = true;
  }

  /** The agent's accept is recorded. */
  accepted(jobId: string): void {
    const f = this.inFlight.get(jobId);
    if (f) f.accepted = true;
  }

  /** A job in flight here has ended (or left): room for the next one. */
  ended(jobId: string): void {
    this.inFlight.delete(jobId);
    this.dispatchSoon();
  }

  /** Dispatches without waiting; a failure is logged and the hub's sweep tries again within a second. */
  dispatchSoon(): void {
    void settle(this.hub.deps.logger, "dispatch", () => this.dispatch(), { nodeId: this.nodeId });
  }

  /** Offers queued jobs while the agent has room. Re-entrant calls coalesce into one more pass. */
  async dispatch(): Promise<void> {
    if (!this.ready || this.link.isClosed) return;
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = true;
    const deps = this.hub.deps;
    try {
      do {
        this.dispatchAgain = false;
        const room = this.hub.maxConcurrentJobs - this.inFlight.size;
        if (room <= 0) break;
        for (const job of await offerableJobs(deps, this.nodeId, room)) {
          if (!this.capabilities.has(job.kind)) {
            await failJob(
              deps,
              this.nodeId,
              job.id,
              "failed",
              `The agent on this node (version ${this.agentVersion}) does not run ${job.kind}; upgrade the agent`,
            );
            continue;
          }
          const offered = await markOffered(deps, job.id);
          if (!offered || this.link.isClosed) continue;
          this.inFlight.set(job.id, { offeredAt: deps.now(), accepted: false });
          // Secrets are decrypted only here, on the way to the agent.
          const params = await offerParams(deps.secretKey, job);
          this.link.send({ type: "offer", jobId: job.id, kind: job.kind, params, attempt: offered.attempts });
        }
      } while (this.dispatchAgain);
    } finally {
      this.dispatching = false;
    }
  }

  /** Re-queues offers the agent never answered (lost in a cut link, or an accept not recorded). */
  async expireOffers(now: number): Promise<void> {
    let freed = false;
    for (const [jobId, f] of this.inFlight) {
      if (!f.accepted && now - f.offeredAt > OFFER_TIMEOUT_MS) {
        await requeue(this.hub.deps, this.nodeId, jobId, 0);
        this.inFlight.delete(jobId);
        freed = true;
      }
    }
    if (freed) await this.dispatch();
  }
}
