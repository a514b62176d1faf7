import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import {
  type AgentFrame,
  encodeFrame,
  parseAgentFrame,
  type ServerFrame,
} from "@pylon/shared/protocol/index";
import { type WebSocket, WebSocketServer } from "ws";

type Without<T> = T extends unknown ? Omit<T, "v"> : never;

/** One agent connection as the fake control plane sees it. */
export interface FakeConn {
  ws: WebSocket;
  authorization: string | undefined;
  frames: AgentFrame[];
  send(frame: Without<ServerFrame>): void;
}

export interface FakeOptions {
  credentials?: Set<string>;
  heartbeatMs?: number;
  maxConcurrentJobs?: number;
  /** Ack every event as it arrives (default true). */
  autoAck?: boolean;
  /** Answer heartbeats and send welcome (false: a server that went silent). */
  responsive?: boolean;
  /** Serve wss:// with this key and certificate. */
  tls?: { key: string; cert: string };
}

/**
 * A small in-test control plane: accepts `Bearer` credentials from a set (401 otherwise),
 * answers hello with welcome, acks events, and records every frame parsed with the
 * control plane's own parser.
 */
export class FakeControlPlane {
  readonly conns: FakeConn[] = [];
  readonly opts: Required<Omit<FakeOptions, "tls">>;
  readonly #tls: boolean;
  readonly refused: string[] = [];
  #server: Server;
  #wss = new WebSocketServer({ noServer: true });
  url = "";

  constructor(opts: FakeOptions = {}) {
    const { tls, ...rest } = opts;
    this.opts = {
      credentials: new Set(["cred-1"]),
      heartbeatMs: 1000,
      maxConcurrentJobs: 4,
      autoAck: true,
      responsive: true,
      ...rest,
    };
    this.#tls = tls !== undefined;
    const notFound = (_req: IncomingMessage, res: ServerResponse) => res.writeHead(404).end();
    this.#server = tls ? createTlsServer(tls, notFound) : createServer(notFound);
    this.#server.on("upgrade", (req: IncomingMessage, socket, head) => {
      const auth = req.headers.authorization;
      if (
        req.url !== "/agent/v1/connect" ||
        !auth ||
        !this.opts.credentials.has(auth.replace(/^Bearer /, ""))
      ) {
        this.refused.push(auth ?? "");
        socket.end("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, auth));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.url = `${this.#tls ? "https" : "http"}://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  #accept(ws: WebSocket, authorization: string): void {
    const conn: FakeConn = {
      ws,
      authorization,
      frames: [],
      send: (frame) => ws.send(encodeFrame(frame)),
    };
    this.conns.push(conn);
    ws.on("message", (data) => {
      const parsed = parseAgentFrame(data.toString());
      if (!parsed.ok) throw new Error(`agent sent an invalid frame: ${parsed.error.message}`);
      const f = parsed.frame;
      conn.frames.push(f);
      if (!this.opts.responsive) return;
      if (f.type === "hello") {
        conn.send({
          type: "welcome",
          nodeId: "node_1",
          serverTime: Date.now(),
          heartbeatMs: this.opts.heartbeatMs,
          maxConcurrentJobs: this.opts.maxConcurrentJobs,
        });
      } else if (f.type === "heartbeat") conn.send({ type: "heartbeat", at: Date.now() });
      else if (f.type === "event" && this.opts.autoAck)
        conn.send({ type: "ack", jobId: f.jobId, seq: f.seq });
    });
  }

  /** The newest connection. */
  get last(): FakeConn | undefined {
    return this.conns.at(-1);
  }

  /** The n-th connection (1-based) once its hello arrived. */
  connected(n = 1, timeoutMs = 5000): Promise<FakeConn> {
    return this.waitFor(
      () => {
        const c = this.conns[n - 1];
        return c?.frames.some((f) => f.type === "hello") ? c : undefined;
      },
      timeoutMs,
      `connection ${n}`,
    );
  }

  /** Every frame from every connection, in order. */
  all(): AgentFrame[] {
    return this.conns.flatMap((c) => c.frames);
  }

  /** Polls until `check` returns a value (not undefined/false). */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000, what = "condition"): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}
