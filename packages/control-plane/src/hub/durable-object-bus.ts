import type { Logger } from "../lib/logger.ts";
import { settle } from "./background.ts";
import { type Change, ChangeBus, parseChange } from "./change-bus.ts";
import { HUB_ORIGIN, type HubNamespace, nodeHub } from "./workers-platform.ts";

type BusDeps = ConstructorParameters<typeof ChangeBus>[0];
type Listener = (change: Change) => void;

/** A watch that ended by itself (the object restarted) is opened again after this long. */
const REWATCH_MS = 1000;

/**
 * The change bus on Workers, where no process polls the `changes` table. A change about a node
 * is written as on Node (Node processes on the same database read it) and told at once to that
 * node's Durable Object, which dispatches, cancels or closes through the agent it holds, and
 * passes the change on to the live views watching it. A live view (`subscribe` with a node id)
 * watches that node's object for the time it is open.
 *
 * Each watch belongs to the one subscriber, and so to the request that opened it: Workers do not
 * let one request read another request's stream.
 */
export class DurableObjectBus extends ChangeBus {
  constructor(
    deps: BusDeps,
    private readonly hubs: HubNamespace,
    /** The node whose object this bus runs in, once known: its changes are delivered here only. */
    private readonly self: () => string | undefined = () => undefined,
  ) {
    super(deps);
  }

  override async start(): Promise<void> {}

  override async publish(change: Change): Promise<void> {
    await super.publish(change);
    const nodeId = change.nodeId;
    if (!nodeId || nodeId === this.self()) return;
    // Not told: the object's alarm sweep still finds queued work within seconds.
    await settle(
      this.deps.logger,
      "telling the node's hub of a change",
      () => tell(this.hubs, nodeId, change),
      {
        nodeId,
        topic: change.topic,
      },
    );
  }

  override subscribe(fn: Listener, nodeId?: string): () => void {
    const off = super.subscribe(fn);
    if (!nodeId || nodeId === this.self()) return off;
    const watch = new Watch(this.hubs, nodeId, fn, this.deps.logger);
    void watch.run();
    return () => {
      off();
      watch.stop();
    };
  }
}

async function tell(hubs: HubNamespace, nodeId: string, change: Change): Promise<void> {
  const res = await nodeHub(hubs, nodeId).fetch(`${HUB_ORIGIN}/change`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(change),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`the node's hub answered ${res.status}`);
}

/** One subscriber's stream of a node's changes (newline-separated JSON) from its object. */
class Watch {
  private stopped = false;
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly hubs: HubNamespace,
    private readonly nodeId: string,
    private readonly fn: Listener,
    private readonly logger: Logger,
  ) {}

  async run(): Promise<void> {
    try {
      const res = await nodeHub(this.hubs, this.nodeId).fetch(`${HUB_ORIGIN}/watch`);
      if (!res.ok || !res.body) throw new Error(`the node's hub answered ${res.status}`);
      this.reader = res.body.getReader();
      if (this.stopped) return void this.reader.cancel();
      const decoder = new TextDecoder();
      let buffered = "";
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let nl = buffered.indexOf("\n");
        while (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          const change = line ? parseChange(JSON.parse(line)) : null;
          if (change) this.fn(change);
          nl = buffered.indexOf("\n");
        }
      }
    } catch (err) {
      if (!this.stopped)
        this.logger.warn("watching a node's changes failed", { nodeId: this.nodeId, error: String(err) });
    }
    // The view still sleeps until its keepalive at worst; watching again keeps it live.
    if (!this.stopped) this.retry = setTimeout(() => void this.run(), REWATCH_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    void this.reader?.cancel().catch(() => {});
  }
}
