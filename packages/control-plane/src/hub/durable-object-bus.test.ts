// The Workers change bus against a stand-in namespace whose objects answer /change and /watch as
// runtime/worker-node-hub.ts does: a published change about a node reaches that node's object at
// once, and a live view subscribed for a node hears the changes its object sees.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../testing/harness.ts";
import { type Change, parseChange } from "./change-bus.ts";
import { DurableObjectBus } from "./durable-object-bus.ts";
import type { HubNamespace } from "./workers-platform.ts";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

/** Objects by node id: what each was told, and its watchers' streams. */
function namespace() {
  const told = new Map<string, Change[]>();
  const watchers = new Map<string, WritableStreamDefaultWriter<Uint8Array>[]>();
  const ns: HubNamespace = {
    idFromName: (name) => name,
    get: (id) => ({
      fetch: async (input, init) => {
        const nodeId = String(id);
        const path = new URL(typeof input === "string" ? input : input.url).pathname;
        if (path === "/change") {
          const change = parseChange(JSON.parse(String(init?.body)));
          if (!change) return new Response(null, { status: 400 });
          told.set(nodeId, [...(told.get(nodeId) ?? []), change]);
          return new Response(null, { status: 204 });
        }
        const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
        watchers.set(nodeId, [...(watchers.get(nodeId) ?? []), writable.getWriter()]);
        return new Response(readable);
      },
    }),
  };
  const emit = async (nodeId: string, change: Change) => {
    for (const w of watchers.get(nodeId) ?? [])
      await w.write(new TextEncoder().encode(`${JSON.stringify(change)}\n`)).catch(() => {});
  };
  return { ns, told, watchers, emit };
}

describe("the Workers change bus", () => {
  it("writes a node's change for Node processes and tells that node's object directly", async () => {
    const { ns, told } = namespace();
    const bus = new DurableObjectBus({ db: h.db, now: h.deps.now, logger: h.deps.logger }, ns);
    const change: Change = { topic: "job.queued", nodeId: "node_a", jobId: "job_1" };
    await bus.publish(change);
    expect(told.get("node_a")).toEqual([change]);
    await bus.publish({ topic: "auth.changed", nodeId: null, jobId: null });
    expect([...told.keys()]).toEqual(["node_a"]);
  });

  it("does not send an object its own node's changes", async () => {
    const { ns, told } = namespace();
    const bus = new DurableObjectBus(
      { db: h.db, now: h.deps.now, logger: h.deps.logger },
      ns,
      () => "node_a",
    );
    const heard: Change[] = [];
    bus.subscribe((c) => heard.push(c));
    await bus.publish({ topic: "job.event", nodeId: "node_a", jobId: "job_1" });
    expect(told.size).toBe(0);
    expect(heard).toHaveLength(1);
  });

  it("lets a live view hear its node's changes from the object, until it unsubscribes", async () => {
    const { ns, watchers, emit } = namespace();
    const bus = new DurableObjectBus({ db: h.db, now: h.deps.now, logger: h.deps.logger }, ns);
    const heard: Change[] = [];
    const off = bus.subscribe((c) => heard.push(c), "node_b");
    await expect.poll(() => watchers.get("node_b")?.length).toBe(1);
    const change: Change = { topic: "job.event", nodeId: "node_b", jobId: "job_2" };
    await emit("node_b", change);
    await expect.poll(() => heard).toEqual([change]);
    off();
    await emit("node_b", { topic: "job.event", nodeId: "node_b", jobId: "job_3" });
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual([change]);
  });
});
