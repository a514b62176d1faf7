// An app's logs followed through the whole stack (API → agent bundle → simulator guest), and
// the app's secrets kept out of the agent's journal and log.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, caddyInstalled, startAppStack } from "./support/app-stack.ts";
import { jobFinished, until } from "./support/stack.ts";

const SECRET = "e2e-Secret-value-5b7d0c";
let stack: AppStack;
let app: { id: string; name: string; domain: string; lastJobId: string };

/** The agent's state dir, from the environment it was started with. */
function agentStateDir(): string {
  const env = readFileSync(`/proc/${stack.agent.child.pid}/environ`, "utf8").split("\0");
  const dir = env.find((e) => e.startsWith("PYLON_AGENT_STATE_DIR="))?.split("=")[1];
  if (!dir) throw new Error("the agent has no PYLON_AGENT_STATE_DIR");
  return dir;
}

/** Processes still following this app's logs (the agent's pct and the guest's docker alike). */
function followers(): string[] {
  const ps = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return ps.split("\n").filter((l) => l.includes(" logs ") && l.includes("--follow") && l.includes(app.name));
}

beforeAll(async () => {
  if (!caddyInstalled()) return;
  stack = await startAppStack();
  const res = await stack.api.call("POST", "/api/v1/apps", {
    name: "follow-me",
    source: { type: "catalog", catalogId: "nginx", parameters: {} },
    target: { nodeId: stack.nodeId },
    secrets: { API_KEY: SECRET },
  });
  expect(res.status).toBe(202);
  app = res.json;
  const job = await jobFinished(stack.api, app.lastJobId, 90_000);
  expect(job.status, JSON.stringify(job)).toBe("succeeded");
}, 150_000);

afterAll(async () => {
  await stack?.stop();
});

describe.skipIf(!caddyInstalled())("app logs and secrets through the whole stack", () => {
  it("keeps the app's secret out of the agent's journal files and its log", () => {
    const dir = agentStateDir();
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(files.map((f) => f.name)).toContain("journal.jsonl");
    for (const f of files) {
      const text = readFileSync(join(f.parentPath, f.name), "utf8");
      expect(text, f.name).not.toContain(SECRET);
    }
    expect(stack.agent.output()).not.toContain(SECRET);
  });

  it("answers the last lines as JSON, each with the time it was written", async () => {
    const before = Date.now();
    await stack.fetchApp(app.domain, "/seen-before");
    // Read later than written: the line's time is when the app wrote it.
    await new Promise((r) => setTimeout(r, 1500));
    const res = await stack.api.call("POST", `/api/v1/apps/${app.id}/logs`, { tail: 3 });
    expect(res.status).toBe(200);
    const line = res.json.lines.find((l: { text: string }) => l.text.endsWith("GET /seen-before"));
    expect(line, JSON.stringify(res.json.lines)).toBeDefined();
    expect(line.text).toMatch(/^follow-me-\S+ +\| \S+ GET \/seen-before$/);
    expect(Date.parse(line.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(line.at)).toBeLessThan(before + 1000);
  });

  it("follows new lines live and stops the log command when the reader disconnects", async () => {
    const ac = new AbortController();
    const res = await fetch(`${stack.server.url}/api/v1/apps/${app.id}/logs`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.api.bearer}`, "content-type": "application/json" },
      body: JSON.stringify({ follow: true, tail: 2 }),
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (re: RegExp) => {
      const deadline = Date.now() + 20_000;
      while (!re.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${re} in the stream: ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(/event: job\ndata: \{"jobId":"(job_[^"]+)"\}/);
    const jobId = /"jobId":"(job_[^"]+)"/.exec(text)?.[1] ?? "";
    await readUntil(/GET \/seen-before/);
    const opened = Date.now();
    await until(async () => followers().length > 0, 10_000, "a follower process");

    const marker = `/live-${Date.now()}`;
    await stack.fetchApp(app.domain, marker);
    await readUntil(new RegExp(`event: line\\ndata: \\{[^\\n]*GET ${marker}"\\}\\n`));
    const lines = [...text.matchAll(/event: line\ndata: (\{.*\})\n/g)].map(
      (m) => JSON.parse(m[1] ?? "{}") as { at: string; text: string },
    );
    // The tail's lines keep the time they were written: before the stream opened.
    const old = lines.find((l) => l.text.endsWith("GET /seen-before"));
    expect(Date.parse(old?.at ?? "")).toBeLessThan(opened - 1000);
    const live = lines.find((l) => l.text.endsWith(`GET ${marker}`));
    expect(live?.text).toMatch(/^follow-me-\S+ +\| \S+ GET \/live-\d+$/);
    expect(Date.parse(live?.at ?? "")).toBeGreaterThanOrEqual(opened - 1000);

    // Closing the view is not a failure: the job ends succeeded, and out of the job lists.
    ac.abort();
    await reader.cancel().catch(() => {});
    const job = await jobFinished(stack.api, jobId, 20_000);
    expect(job.status).toBe("succeeded");
    expect(job.result).toMatchObject({ ended: "closed" });
    const listed = await stack.api.call("GET", `/api/v1/jobs?app=${app.id}`);
    expect(listed.json.items.map((j: { kind: string }) => j.kind)).not.toContain("app.logs");
    await until(async () => followers().length === 0, 10_000, "no follower process left");
  });
});
