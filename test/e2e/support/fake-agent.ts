// A scripted agent speaking the real wire protocol over a real WebSocket, for control-plane tests.
import { encodeFrame, JOB_KINDS, parseServerFrame, type ServerFrame } from "@pylon/shared";
import WebSocket from "ws";

type Without<T> = T extends unknown ? Omit<T, "v"> : never;

export class FakeAgent {
  readonly frames: ServerFrame[] = [];
  private waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  closed: { code: number; reason: string } | null = null;
  private closeWaiters: ((c: { code: number; reason: string }) => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const parsed = parseServerFrame(String(data));
      if (!parsed.ok) throw new Error(`server sent an invalid frame: ${parsed.error.message}`);
      this.frames.push(parsed.frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(parsed.frame)) return true;
        w.resolve(parsed.frame);
        return false;
      });
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const w of this.closeWaiters) w(this.closed);
    });
  }

  /** Connects with a credential; rejects with the HTTP status when the upgrade is refused. */
  static connect(baseUrl: string, credential: string): Promise<FakeAgent> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/agent/v1/connect`, {
        headers: { authorization: `Bearer ${credential}` },
      });
      ws.once("open", () => resolve(new FakeAgent(ws)));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  send(frame: Without<Parameters<typeof encodeFrame>[0]>): void {
    this.ws.send(encodeFrame(frame as Parameters<typeof encodeFrame>[0]));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Resolves with the next frame (already received or future) of this type matching `pred`. */
  next<T extends ServerFrame["type"]>(
    type: T,
    pred: (f: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    const match = (f: ServerFrame) => f.type === type && pred(f as Extract<ServerFrame, { type: T }>);
    const idx = this.frames.findIndex(match);
    if (idx >= 0) return Promise.resolve(this.frames.splice(idx, 1)[0] as Extract<ServerFrame, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} frame within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f as Extract<ServerFrame, { type: T }>);
        },
      });
    });
  }

  hello(jobs: { jobId: string; state: "running" | "finished"; lastSeq: number }[] = []): void {
    this.send({
      type: "hello",
      agentVersion: "test",
      nodeName: "pve",
      pveVersion: "8.4.5",
      capabilities: [...JOB_KINDS],
      jobs,
    });
  }

  waitClose(timeoutMs = 15_000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("socket not closed")), timeoutMs);
      this.closeWaiters.push((c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
