import type { IncomingMessage } from "node:http";
import {
  type AgentFrame,
  CLOSE,
  encodeFrame,
  type GuestMetrics,
  MAX_FRAME_BYTES,
  type NodeMetrics,
  utf8Length,
} from "@pylon/shared/protocol/index";
import WebSocket from "ws";
import type { CredentialStore } from "../credential.ts";
import type { Logger } from "../log.ts";
import { errorMessage } from "../util/errors.ts";
import type { Backoff } from "./backoff.ts";

type Without<T> = T extends unknown ? Omit<T, "v"> : never;
type Hello = Omit<Extract<AgentFrame, { type: "hello" }>, "v" | "type">;

export interface LinkOptions {
  /** The control plane's base URL (http(s)://…); the socket goes to …/agent/v1/connect. */
  controlPlaneUrl: string;
  /** PEM CA bundle for the control plane's certificate (verification is always on). */
  ca?: Buffer;
  credentials: CredentialStore;
  backoff: Backoff;
  log: Logger;
  /** What hello says, computed at each connect (the journal changes between connects). */
  hello: () => Hello;
  /** Host metrics to carry on heartbeats (the latest sample, if any). */
  metrics?: () => NodeMetrics | undefined;
  /** The node's guests' figures to carry on heartbeats (asked right after `metrics`). */
  guests?: () => GuestMetrics[] | undefined;
  /** Every text frame received after the socket opened. */
  onText: (text: string) => void;
  /** How long to wait for welcome, and the heartbeat assumed until welcome says otherwise. */
  defaultHeartbeatMs?: number;
  /** The link is down; called once per connection that was welcomed. */
  onDown?: () => void;
}

/** `/agent/v1/connect` under the control-plane URL, with ws(s). */
export function connectUrl(controlPlaneUrl: string): string {
  const u = new URL(controlPlaneUrl.endsWith("/") ? controlPlaneUrl : `${controlPlaneUrl}/`);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return new URL("agent/v1/connect", u).toString();
}

/**
 * The agent's one outbound WebSocket, kept up forever: connect, hello, wait for welcome,
 * heartbeat both ways, declare the link half-open after 2.5 heartbeats of server silence,
 * reconnect with backoff. Nothing here knows about jobs.
 */
export class AgentLink {
  #o: LinkOptions;
  #ws: WebSocket | undefined;
  #welcomed = false;
  #stopped = false;
  #heartbeatMs: number;
  #lastSeen = 0;
  #lastSent = 0;
  #tick: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #refused: number | undefined;
  #closed: Promise<void> = Promise.resolve();

  constructor(opts: LinkOptions) {
    this.#o = opts;
    this.#heartbeatMs = opts.defaultHeartbeatMs ?? 15_000;
  }

  /** True between welcome and the socket closing. */
  get ready(): boolean {
    return this.#welcomed && this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Starts connecting (and reconnecting until stop()). */
  start(): void {
    this.#stopped = false;
    void this.#connect();
  }

  /**
   * Sends a frame on a welcomed link; false if the link is not up. A frame over the link's limit
   * is never sent (the control plane would refuse it): the builders of large frames cut them
   * first (frame-size.ts), so this only guards against a mistake.
   */
  send(frame: Without<AgentFrame>): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    if (!this.#welcomed && frame.type !== "hello" && frame.type !== "error") return false;
    const text = encodeFrame(frame);
    // A UTF-16 unit is at most 3 bytes of UTF-8: only a long text needs counting.
    if (text.length * 3 > MAX_FRAME_BYTES && utf8Length(text) > MAX_FRAME_BYTES) {
      this.#o.log.error("not sending a frame over the link's size limit", {
        type: frame.type,
        bytes: utf8Length(text),
        ...("jobId" in frame ? { jobId: frame.jobId } : {}),
      });
      return false;
    }
    ws.send(text);
    return true;
  }

  /** The server accepted hello: heartbeats at its interval, reset backoff after min uptime. */
  welcomed(heartbeatMs: number): void {
    this.#welcomed = true;
    this.#heartbeatMs = heartbeatMs;
    this.#o.backoff.up();
    this.#startTicking();
  }

  /** Closes with 1000 and stops reconnecting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const ws = this.#ws;
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) {
      const closed = this.#closed;
      ws.close(CLOSE.normal, "agent stopping");
      const timer = setTimeout(() => ws.terminate(), 3000);
      await closed;
      clearTimeout(timer);
    }
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    let credential: string;
    try {
      credential = (await this.#o.credentials.read()).credential;
    } catch (err) {
      this.#o.log.error("cannot connect without a credential", { err: errorMessage(err) });
      return this.#scheduleReconnect();
    }
    const url = connectUrl(this.#o.controlPlaneUrl);
    this.#o.log.info("connecting to the control plane", { url, attempt: this.#o.backoff.attempt });
    this.#welcomed = false;
    this.#refused = undefined;
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${credential}` },
      ca: this.#o.ca,
      handshakeTimeout: 15_000,
      perMessageDeflate: false,
      maxPayload: 16 * 2 ** 20,
    });
    this.#ws = ws;
    let resolveClosed!: () => void;
    this.#closed = new Promise((r) => {
      resolveClosed = r;
    });
    ws.on("unexpected-response", (_req, res: IncomingMessage) => {
      // The upgrade was answered with a plain HTTP status (401 for a bad credential).
      this.#refused = res.statusCode;
      res.resume();
      ws.terminate();
    });
    ws.on("open", () => {
      this.#lastSeen = Date.now();
      this.send({ type: "hello", ...this.#o.hello() });
      // Until welcome arrives the same silence rule applies, with the default interval.
      this.#startTicking();
    });
    ws.on("message", (data, isBinary) => {
      this.#lastSeen = Date.now();
      if (isBinary) {
        this.send({
          type: "error",
          code: "invalid_frame",
          message: "binary frames are not part of the protocol",
        });
        return;
      }
      this.#o.onText(data.toString());
    });
    ws.on("error", (err) => {
      if (this.#refused === undefined)
        this.#o.log.warn("control plane connection error", { err: errorMessage(err) });
    });
    ws.on("close", (code, reasonBuf) => {
      resolveClosed();
      this.#onClose(ws, code, reasonBuf.toString());
    });
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.#ws !== ws) return;
    clearInterval(this.#tick);
    const wasUp = this.#welcomed;
    this.#welcomed = false;
    this.#ws = undefined;
    this.#o.backoff.down();
    if (wasUp) this.#o.onDown?.();
    const log = this.#o.log;
    if (this.#refused === 401 || code === CLOSE.unauthorized) {
      log.error("the control plane refused the agent credential (401); re-enroll this node if it persists", {
        status: this.#refused,
        code,
      });
    } else if (this.#refused !== undefined) {
      log.warn("the control plane refused the connection", { status: this.#refused });
    } else if (code === CLOSE.revoked) {
      log.error(
        "the agent credential was revoked (4403); retrying only at the maximum backoff — re-enroll this node to reconnect",
      );
      this.#o.backoff.penalize();
    } else if (code === CLOSE.replaced) {
      log.warn(
        "replaced by a newer connection of this node (4409); is a second agent running with this credential?",
      );
    } else if (!this.#stopped) {
      log.info("control plane connection closed", { code, reason });
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    const delay = this.#o.backoff.next();
    this.#o.log.info("reconnecting", { inMs: delay });
    this.#retry = setTimeout(() => void this.#connect(), delay);
  }

  /** Sends a heartbeat now (fresh figures after a change), if the link is up. */
  heartbeatNow(): void {
    if (!this.#ws || !this.#welcomed) return;
    const now = Date.now();
    this.#lastSent = now;
    this.send({ type: "heartbeat", at: now, metrics: this.#o.metrics?.(), guests: this.#o.guests?.() });
  }

  /** One timer per connection: sends heartbeats and detects a half-open link. */
  #startTicking(): void {
    clearInterval(this.#tick);
    const every = Math.max(250, Math.floor(this.#heartbeatMs / 4));
    this.#lastSent = 0;
    this.#tick = setInterval(() => {
      const ws = this.#ws;
      if (!ws) return;
      const now = Date.now();
      const silence = now - this.#lastSeen;
      if (silence > 2.5 * this.#heartbeatMs) {
        this.#o.log.warn("no frame from the control plane; the link is half-open, reconnecting", {
          silentMs: silence,
        });
        ws.terminate();
        return;
      }
      if (this.#welcomed && now - this.#lastSent >= this.#heartbeatMs - every / 2) {
        this.#lastSent = now;
        const metrics = this.#o.metrics?.();
        this.send({ type: "heartbeat", at: now, metrics, guests: this.#o.guests?.() });
      }
    }, every);
  }
}
