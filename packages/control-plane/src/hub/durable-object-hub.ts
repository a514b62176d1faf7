import type { NodeRow } from "../db/schema/index.ts";
import type { AgentHub } from "./hub.ts";
import { HUB_ORIGIN, type HubNamespace, nodeHub } from "./workers-platform.ts";

/** The header that carries the authenticated node from the Worker to its object. */
export const NODE_HEADER = "x-pylon-node";

/**
 * The Workers runtime's hub, as the app sees it: an agent's connection, once authenticated, is
 * handed to that node's Durable Object (node-hub-object.ts), which holds the socket. Work
 * reaches the object through the change bus (durable-object-bus.ts).
 */
export class DurableObjectHub implements AgentHub {
  constructor(private readonly hubs: HubNamespace) {}

  readonly connect: AgentHub["connect"] = async (c) => {
    const node: NodeRow = c.get("agentNode");
    // The object answers 101 with its end of a WebSocketPair; the Worker passes it through.
    const res = await nodeHub(this.hubs, node.id).fetch(`${HUB_ORIGIN}/connect`, {
      headers: { upgrade: "websocket", [NODE_HEADER]: JSON.stringify(node) },
    });
    // A stub's answer has immutable headers, and the app's middleware adds its own.
    const webSocket = (res as Response & { webSocket?: unknown }).webSocket;
    return new Response(res.body, {
      status: res.status,
      headers: new Headers(res.headers),
      ...(webSocket ? { webSocket } : {}),
    } as ResponseInit);
  };

  /** Nothing to stop: the objects hold the sockets, and outlive any one request. */
  async stop(): Promise<void> {}
}
