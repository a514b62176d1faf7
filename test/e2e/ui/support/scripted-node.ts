// A Proxmox node as the browser tests need it: the scripted agent (real protocol, real WebSocket)
// enrolled with the token from the install command, sending heartbeats with metrics, and
// answering offers with handlers the test sets per job kind.
import { type JobKind, type NodeMetrics, parseServerFrame, type ServerFrame } from "@pylon/shared";
import { FakeAgent } from "../../support/fake-agent.ts";

type Offer = Extract<ServerFrame, { type: "offer" }>;

export const METRICS: NodeMetrics = {
  cpu: 0.23,
  cpus: 8,
  memTotal: 32 * 1024 ** 3,
  memUsed: 11 * 1024 ** 3,
  diskTotal: 500 * 1024 ** 3,
  diskUsed: 410 * 1024 ** 3,
  uptime: 3 * 86400 + 7200,
  loadavg: [0.42, 0.38, 0.31],
};

export const INVENTORY = {
  pveVersion: "8.4.5",
  node: { cpu: 0.23, cpus: 8, memTotal: METRICS.memTotal, memUsed: METRICS.memUsed, uptime: METRICS.uptime },
  guests: [
    {
      vmid: 101,
      type: "lxc",
      name: "web",
      status: "running",
      template: false,
      cpus: 2,
      maxmem: 2 * 1024 ** 3,
      maxdisk: 8 * 1024 ** 3,
      lock: null,
    },
    {
      vmid: 102,
      type: "lxc",
      name: "db",
      status: "stopped",
      template: false,
      cpus: 2,
      maxmem: 4 * 1024 ** 3,
      maxdisk: 32 * 1024 ** 3,
      lock: null,
    },
    {
      vmid: 200,
      type: "qemu",
      name: "windows",
      status: "running",
      template: false,
      cpus: 4,
      maxmem: 8 * 1024 ** 3,
      maxdisk: 64 * 1024 ** 3,
      lock: null,
    },
    {
      vmid: 9000,
      type: "qemu",
      name: "debian-template",
      status: "stopped",
      template: true,
      cpus: 1,
      maxmem: 1024 ** 3,
      maxdisk: 4 * 1024 ** 3,
      lock: null,
    },
  ],
  storages: [
    {
      storage: "local",
      type: "dir",
      content: ["vztmpl", "iso", "backup"],
      total: 100 * 1024 ** 3,
      used: 40 * 1024 ** 3,
      avail: 60 * 1024 ** 3,
      active: true,
    },
    {
      storage: "local-lvm",
      type: "lvmthin",
      content: ["images", "rootdir"],
      total: 400 * 1024 ** 3,
      used: 370 * 1024 ** 3,
      avail: 30 * 1024 ** 3,
      active: true,
    },
  ],
  templates: [{ volid: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", size: 126 * 1024 ** 2 }],
};

export type OfferHandler = (offer: Offer, node: ScriptedNode) => void | Promise<void>;

export class ScriptedNode {
  readonly offers: Offer[] = [];
  readonly cancels = new Set<string>();
  private seqs = new Map<string, number>();
  private handlers = new Map<JobKind, OfferHandler>();
  private cancelWaiters = new Map<string, () => void>();
  private beat: ReturnType<typeof setInterval> | undefined;

  private constructor(
    public agent: FakeAgent,
    readonly nodeId: string,
    private readonly credential: string,
  ) {
    this.attach(agent);
  }

  private attach(agent: FakeAgent): void {
    this.agent = agent;
    agent.ws.on("message", (data) => {
      const parsed = parseServerFrame(String(data));
      if (!parsed.ok) return;
      const f = parsed.frame;
      if (f.type === "offer") {
        this.offers.push(f);
        const h = this.handlers.get(f.kind);
        if (h) void h(f, this);
      } else if (f.type === "cancel") {
        this.cancels.add(f.jobId);
        this.cancelWaiters.get(f.jobId)?.();
      } else if (f.type === "rotate") {
        this.agent.send({ type: "rotated", credentialId: f.credentialId });
      }
    });
  }

  private startHeartbeats(): void {
    clearInterval(this.beat);
    const heartbeat = () => {
      if (!this.agent.closed) this.agent.send({ type: "heartbeat", at: Date.now(), metrics: METRICS });
    };
    heartbeat();
    this.beat = setInterval(heartbeat, 250);
  }

  /** Connects again (after a cut or a server restart), telling the server which jobs it still runs. */
  async reconnect(baseUrl: string, running: string[] = []): Promise<void> {
    this.agent.close();
    const agent = await FakeAgent.connect(baseUrl, this.credential);
    this.attach(agent);
    agent.hello(running.map((jobId) => ({ jobId, state: "running", lastSeq: this.seqs.get(jobId) ?? 0 })));
    await agent.next("welcome");
    this.startHeartbeats();
  }

  /** Exchanges the enrollment token for a credential, connects, says hello and starts heartbeats. */
  static async enroll(baseUrl: string, token: string, nodeName: string): Promise<ScriptedNode> {
    const res = await fetch(`${baseUrl}/agent/v1/enroll`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token, agentVersion: "0.1.0-test", nodeName, pveVersion: "8.4.5" }),
    });
    if (res.status !== 200) throw new Error(`enroll answered ${res.status}: ${await res.text()}`);
    const { nodeId, credential } = (await res.json()) as { nodeId: string; credential: string };
    const agent = await FakeAgent.connect(baseUrl, credential);
    const node = new ScriptedNode(agent, nodeId, credential);
    agent.hello();
    await agent.next("welcome");
    node.startHeartbeats();
    return node;
  }

  /** Answers offers of `kind` with `handler` from now on. */
  on(kind: JobKind, handler: OfferHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Sends the job's next event (seq counted here). */
  event(
    jobId: string,
    event:
      | { kind: "log"; level: "info" | "warn" | "error"; message: string }
      | { kind: "progress"; percent: number; message?: string }
      | {
          kind: "step";
          step: string;
          status: "started" | "succeeded" | "failed" | "undone";
          message?: string;
        }
      | {
          kind: "result";
          status: "succeeded" | "failed" | "cancelled";
          result?: unknown;
          error?: { message: string; step?: string };
        },
  ): void {
    const seq = (this.seqs.get(jobId) ?? 0) + 1;
    this.seqs.set(jobId, seq);
    this.agent.send({ type: "event", jobId, seq, at: Date.now(), event });
  }

  accept(jobId: string): void {
    this.agent.send({ type: "accept", jobId });
  }

  /** Resolves when the control plane asks to cancel `jobId`. */
  cancelled(jobId: string): Promise<void> {
    if (this.cancels.has(jobId)) return Promise.resolve();
    return new Promise((r) => this.cancelWaiters.set(jobId, r));
  }

  stop(): void {
    clearInterval(this.beat);
    this.agent.close();
  }
}
