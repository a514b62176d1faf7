// Apps over the real agent link (scripted agent): what the agent receives for a deploy, and how
// its step events and result reach the app and the live view.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeAgent } from "./support/fake-agent.ts";
import { type Client, type RunningServer, scratchDir, startServer } from "./support/server.ts";
import { ADMIN, adminClient } from "./support/stack.ts";

let dir: ReturnType<typeof scratchDir>;
let server: RunningServer;
let api: Client;
let agent: FakeAgent;
let nodeId: string;

beforeAll(async () => {
  dir = scratchDir();
  server = await startServer(dir.dir, { ...ADMIN, PYLON_APPS_DOMAIN: "apps.test" });
  api = await adminClient(server.url);
  const created = await api.call("POST", "/api/v1/nodes", { name: "pve" });
  const enrolled = await fetch(`${server.url}/agent/v1/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token: created.json.enrollment.token,
      agentVersion: "t",
      nodeName: "pve",
      pveVersion: "8.4.5",
    }),
  });
  const body = (await enrolled.json()) as { nodeId: string; credential: string };
  nodeId = body.nodeId;
  agent = await FakeAgent.connect(server.url, body.credential);
  agent.hello();
  await agent.next("welcome");
}, 60_000);

afterAll(async () => {
  agent?.close();
  await server?.stop();
  dir?.cleanup();
});

describe("deploying over the link", () => {
  it("sends the agent the rendered compose and secrets, and the app follows the job's result", async () => {
    const res = await api.call("POST", "/api/v1/apps", {
      name: "wiki",
      source: { type: "catalog", catalogId: "nginx", parameters: {} },
      target: { nodeId },
      secrets: { API_KEY: "sekrit-value-1" },
      env: { GREETING: "hello" },
    });
    expect(res.status).toBe(202);
    expect(JSON.stringify(res.json)).not.toContain("sekrit-value-1");
    const offer = await agent.next("offer", (f) => f.kind === "app.deploy");
    const params = offer.params as {
      secrets: Record<string, string>;
      source: { compose: string };
      route: { host: string };
      env: Record<string, string>;
    };
    expect(params.secrets.API_KEY).toBe("sekrit-value-1");
    expect(params.source.compose).toMatch(/image: "?nginx/);
    expect(params.route.host).toBe("wiki.apps.test");
    expect(params.env).toEqual({ GREETING: "hello" });
    agent.send({ type: "accept", jobId: offer.jobId });

    const stream = fetch(`${server.url}/api/v1/jobs/${offer.jobId}/stream`, {
      headers: { authorization: `Bearer ${api.bearer}` },
    }).then((r) => r.text());
    const steps = ["reserve", "create guest", "start", "health check", "publish route"];
    let seq = 0;
    for (const step of steps) {
      agent.send({
        type: "event",
        jobId: offer.jobId,
        seq: ++seq,
        at: Date.now(),
        event: { kind: "step", step, status: "started" },
      });
      agent.send({
        type: "event",
        jobId: offer.jobId,
        seq: ++seq,
        at: Date.now(),
        event: { kind: "step", step, status: "succeeded" },
      });
    }
    agent.send({
      type: "event",
      jobId: offer.jobId,
      seq: ++seq,
      at: Date.now(),
      event: {
        kind: "result",
        status: "succeeded",
        result: { vmid: 105, address: "127.77.0.5", commit: null, snapshot: "pylon_20260101_000000" },
      },
    });
    await agent.next("ack", (f) => f.jobId === offer.jobId && f.seq === seq);
    const text = await stream;
    expect(text.match(/^event: event$/gm)).toHaveLength(seq);
    expect(text.indexOf('"step":"reserve"')).toBeLessThan(text.indexOf('"step":"publish route"'));
    expect(text).not.toContain("sekrit-value-1");
    const app = (await api.call("GET", `/api/v1/apps/${res.json.id}`)).json;
    expect(app).toMatchObject({ status: "running", url: "https://wiki.apps.test", guest: { vmid: 105 } });
  });
});
