// The WebSocket server for agents, loaded on the first upgrade request: `ws` and the Node
// modules it pulls in cost a few MB that a control plane without agents never needs.
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";

type HeadersListener = (headers: string[], req: IncomingMessage) => void;

/**
 * What @hono/node-server asks of its `websocket.server`: `options.noServer`, `handleUpgrade`,
 * "headers" listeners around it, `emit("connection")` and `close()`. "connection" stays on this
 * object; "headers" listeners are handed to the real server for the upgrade they belong to.
 */
export class LazyWebSocketServer extends EventEmitter {
  readonly options = { noServer: true } as const;
  #real: WebSocketServer | undefined;
  #loading: Promise<WebSocketServer> | undefined;
  readonly #headers = new Set<HeadersListener>();

  constructor(private readonly maxPayload: number) {
    super();
  }

  /**
   * Loads `ws` once (on the first accepted upgrade; no upgrade listener of our own, since
   * @hono/node-server refuses unaccepted upgrades only while it is the sole listener).
   */
  load(): Promise<WebSocketServer> {
    this.#loading ??= import("ws").then(({ WebSocketServer: Server }) => {
      this.#real = new Server({ noServer: true, maxPayload: this.maxPayload });
      return this.#real;
    });
    return this.#loading;
  }

  // biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own listener type
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === "headers") this.#headers.add(listener as HeadersListener);
    else super.on(event, listener);
    return this;
  }

  // biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own listener type
  override off(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === "headers") this.#headers.delete(listener as HeadersListener);
    else super.off(event, listener);
    return this;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: WebSocket) => void): void {
    const listeners = [...this.#headers];
    const upgrade = (real: WebSocketServer) => {
      for (const l of listeners) real.on("headers", l);
      try {
        real.handleUpgrade(req, socket, head, done);
      } finally {
        for (const l of listeners) real.off("headers", l);
      }
    };
    if (this.#real) upgrade(this.#real);
    else
      this.load().then(upgrade, () => {
        socket.destroy();
      });
  }

  close(): void {
    this.#real?.close();
  }
}
