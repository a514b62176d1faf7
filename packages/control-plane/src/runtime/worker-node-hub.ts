// The Durable Object class (NODE_HUB): one per node. Its hooks only adapt: parse the request or
// frame, delegate to NodeHubObject (the same AgentSession the Node hub runs), catch and log.
import type { NodeRow } from "../db/schema/index.ts";
import { parseChange } from "../hub/change-bus.ts";
import { NODE_HEADER } from "../hub/durable-object-hub.ts";
import { NodeHubObject } from "../hub/node-hub-object.ts";
import type { HibernatableSocket, HubObjectState } from "../hub/workers-platform.ts";
import type { Logger } from "../lib/logger.ts";
import { misconfigured, type WorkerEnv, workerDeps } from "./worker-deps.ts";
import { workerAgentBundle } from "./worker-files.ts";

declare const WebSocketPair: new () => { 0: WebSocket; 1: WebSocket & HibernatableSocket };

export class NodeHub {
  private readonly hub: NodeHubObject | { errors: string[] } = { errors: ["starting"] };
  private readonly logger: Logger | undefined;

  constructor(state: HubObjectState, env: WorkerEnv) {
    // Changes about its own node are delivered in the object, not sent to itself.
    const deps = workerDeps(env, () => (this.hub instanceof NodeHubObject ? this.hub.nodeId : undefined));
    if ("errors" in deps) {
      this.hub = deps;
      return;
    }
    this.logger = deps.logger;
    const { config } = deps;
    this.hub = new NodeHubObject(
      state,
      {
        db: deps.db,
        now: Date.now,
        bus: deps.bus,
        logger: deps.logger,
        secretKey: deps.secretKey,
        retention: deps.retention,
        // Agents older than the bundle the Worker serves are offered an update, as on Node.
        ...(env.ASSETS ? { agentBundle: workerAgentBundle(env.ASSETS) } : {}),
      },
      {
        heartbeatMs: config.PYLON_AGENT_HEARTBEAT_MS,
        maxConcurrentJobs: config.PYLON_AGENT_MAX_JOBS,
        maxJobOutputBytes: config.PYLON_JOB_OUTPUT_MAX_MB * 1024 * 1024,
      },
    );
  }

  async fetch(request: Request): Promise<Response> {
    const hub = this.hub;
    if ("errors" in hub) return misconfigured(hub.errors);
    const path = new URL(request.url).pathname;
    try {
      if (path === "/connect") {
        const node = JSON.parse(request.headers.get(NODE_HEADER) ?? "null") as NodeRow | null;
        if (!node?.id) return new Response("no node", { status: 400 });
        const pair = new WebSocketPair();
        await hub.attach(pair[1], node);
        return new Response(null, { status: 101, webSocket: pair[0] } as ResponseInit);
      }
      if (path === "/change" && request.method === "POST") {
        const change = parseChange(await request.json());
        if (!change) return new Response("bad change", { status: 400 });
        hub.change(change);
        return new Response(null, { status: 204 });
      }
      if (path === "/watch") {
        return new Response(hub.watch(), { headers: { "content-type": "application/x-ndjson" } });
      }
      return new Response("not found", { status: 404 });
    } catch (err) {
      this.logger?.error("node hub request failed", { path, error: String(err) });
      return new Response("node hub failed", { status: 500 });
    }
  }

  async webSocketMessage(ws: HibernatableSocket, message: string | ArrayBuffer): Promise<void> {
    if (!("errors" in this.hub)) await this.hub.message(ws, message);
  }

  async webSocketClose(ws: HibernatableSocket, code: number, reason: string): Promise<void> {
    await this.ended(ws, "closed", { code, reason });
  }

  async webSocketError(ws: HibernatableSocket, error: unknown): Promise<void> {
    await this.ended(ws, "failed", { error: String(error) });
  }

  async alarm(): Promise<void> {
    if ("errors" in this.hub) return;
    try {
      await this.hub.alarm();
    } catch (err) {
      this.logger?.error("node hub alarm failed", { error: String(err) });
    }
  }

  private async ended(ws: HibernatableSocket, how: string, fields: Record<string, unknown>): Promise<void> {
    if ("errors" in this.hub) return;
    try {
      await this.hub.closed(ws);
    } catch (err) {
      this.logger?.error(`agent socket ${how}; forgetting it failed`, { ...fields, error: String(err) });
    }
  }
}
