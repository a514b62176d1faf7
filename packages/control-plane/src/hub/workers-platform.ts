// The parts of the Workers platform the Durable Object hub uses, typed structurally so the hub
// compiles (and is unit-tested) without @cloudflare/workers-types. Names follow
// https://developers.cloudflare.com/durable-objects/api/ (state, namespace, hibernatable WebSocket).

/** A Durable Object's stub: requests to the one object behind it. */
export interface HubStub {
  fetch(input: string | Request, init?: RequestInit): Promise<Response>;
}

/** The Durable Object namespace binding (`NODE_HUB` in wrangler.toml). */
export interface HubNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): HubStub;
}

/** A WebSocket accepted with the hibernation API: it outlives the object's memory. */
export interface HibernatableSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
}

/** The object's `ctx` (DurableObjectState), as far as the hub needs it. */
export interface HubObjectState {
  acceptWebSocket(ws: HibernatableSocket, tags?: string[]): void;
  getWebSockets(tag?: string): HibernatableSocket[];
  storage: {
    getAlarm(): Promise<number | null>;
    setAlarm(at: number): Promise<void>;
  };
}

/** The stub of a node's hub object. */
export function nodeHub(ns: HubNamespace, nodeId: string): HubStub {
  return ns.get(ns.idFromName(nodeId));
}

/** Internal requests go to this origin; the object only ever sees its path. */
export const HUB_ORIGIN = "https://node-hub.internal";
