// Issue 10's poison frame, through the whole stack: an app whose container log is full of
// control characters (six bytes each once JSON-escaped) used to make a diagnostics result larger
// than the link's 1 MiB limit; the control plane closed the socket (1009) and the agent resent the
// same frame after every reconnect, so the node never came back. Now the agent cuts the result to
// fit, the node stays online, and the next jobs run. And a followed log that outgrows the job's
// output limit (1 MiB here) ends that job clearly; the agent stops following and goes on.
import { execFileSync } from "node:child_process";
import { appendFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, caddyInstalled, startAppStack } from "./support/app-stack.ts";
import { jobFinished, until } from "./support/stack.ts";

let stack: AppStack;
let app: { id: string; name: string; lastJobId: string; guest: { vmid: number } };

beforeAll(async () => {
  if (!caddyInstalled()) return;
  stack = await startAppStack({ env: { PYLON_JOB_OUTPUT_MAX_MB: "1" } });
  const res = await stack.api.call("POST", "/api/v1/apps", {
    name: "noisy",
    source: { type: "catalog", catalogId: "nginx", parameters: {} },
    target: { nodeId: stack.nodeId },
  });
  expect(res.status).toBe(202);
  const job = await jobFinished(stack.api, res.json.lastJobId, 90_000);
  expect(job.status, JSON.stringify(job)).toBe("succeeded");
  app = (await stack.api.call("GET", `/api/v1/apps/${res.json.id}`)).json;
}, 150_000);

afterAll(async () => {
  await stack?.stop();
});

/** The container log files of the app, as the guest's docker keeps them. */
function logFiles(): string[] {
  const dir = join(
    stack.sim.stateDir,
    "guests",
    String(app.guest.vmid),
    "root",
    "var",
    "lib",
    "docker-sim",
    "logs",
  );
  return readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .map((f) => join(dir, f));
}

// Each of these is six bytes in JSON (\b, \t, \n, \f and \r, two-byte escapes, are left out).
const CONTROLS = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1))
  .filter((c) => !"\b\t\n\f\r".includes(c))
  .join("");

describe.skipIf(!caddyInstalled())("a guest log full of control characters", () => {
  it("gives a diagnostics result cut to fit one frame; the node stays online and runs the next jobs", async () => {
    // The container's log as the guest's docker keeps it, written as the app would.
    const logs = join(
      stack.sim.stateDir,
      "guests",
      String(app.guest.vmid),
      "root",
      "var",
      "lib",
      "docker-sim",
      "logs",
    );
    const files = readdirSync(logs).filter((f) => f.endsWith(".log"));
    expect(files.length).toBeGreaterThan(0);
    // Each of these is six bytes in JSON (\b, \t, \n, \f and \r, two-byte escapes, are left out).
    const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1))
      .filter((c) => !"\b\t\n\f\r".includes(c))
      .join("");
    const line = `noisy ${controls.repeat(60)}\n`;
    for (const f of files) appendFileSync(join(logs, f), line.repeat(400));
    expect(JSON.stringify(line.repeat(200)).length).toBeGreaterThan(1024 * 1024);

    const connectedBefore = (await stack.api.call("GET", `/api/v1/nodes/${stack.nodeId}`)).json.connectedAt;
    const res = await stack.api.call("POST", `/api/v1/apps/${app.id}/diagnostics/logs`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.output).toMatch(/^\$ /);
    expect(res.json.output).toContain("noisy \u0001\u0002");
    expect(res.json.output).toMatch(/… \[\d+ bytes cut to fit the agent link's 1 MiB frame limit\]$/);

    // Same connection: never closed for a frame too large.
    const node = (await stack.api.call("GET", `/api/v1/nodes/${stack.nodeId}`)).json;
    expect(node.status).toBe("online");
    expect(node.connectedAt).toBe(connectedBefore);
    expect(stack.agent.output()).not.toMatch(/"code":1009|control plane connection closed/);

    // Other work flows: another diagnostic and an inventory run after it.
    const disk = await stack.api.call("POST", `/api/v1/apps/${app.id}/diagnostics/disk`);
    expect(disk.status).toBe(200);
    const inventory = await stack.api.call("POST", `/api/v1/nodes/${stack.nodeId}/inventory`);
    expect((await jobFinished(stack.api, inventory.json.id, 30_000)).status).toBe("succeeded");
  });

  it("ends a followed log over the job's output limit, saying so; the agent stops following and goes on", async () => {
    const res = await fetch(`${stack.server.url}/api/v1/apps/${app.id}/logs`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.api.bearer}`, "content-type": "application/json" },
      body: JSON.stringify({ follow: true, tail: 0 }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (re: RegExp) => {
      const deadline = Date.now() + 60_000;
      while (!re.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${re} in the stream: ${text.slice(-500)}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text.slice(-500)}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(/"jobId":"(job_[^"]+)"/);
    const jobId = /"jobId":"(job_[^"]+)"/.exec(text)?.[1] ?? "";
    await until(async () => followers().length > 0, 10_000, "a follower process");
    // The app keeps writing: about 10 kB per line once encoded, 100 lines a second pass.
    const line = `noisy ${CONTROLS.repeat(60)}\n`;
    const writer = setInterval(() => {
      for (const f of logFiles()) appendFileSync(f, line.repeat(20));
    }, 100);
    try {
      await readUntil(/event: end\ndata: .*output exceeded the limit of 1 MiB/);
    } finally {
      clearInterval(writer);
      await reader.cancel().catch(() => {});
    }
    const job = await jobFinished(stack.api, jobId, 10_000);
    expect(job).toMatchObject({
      status: "failed",
      error: "The job's output exceeded the limit of 1 MiB; it was stopped",
    });
    // The agent was told, stopped the log command in the guest and dropped the job.
    await until(async () => followers().length === 0, 15_000, "no follower process left");
    expect(stack.agent.output()).toMatch(/refused this job's frame and failed the job/);
    const node = (await stack.api.call("GET", `/api/v1/nodes/${stack.nodeId}`)).json;
    expect(node.status).toBe("online");
    expect((await stack.api.call("POST", `/api/v1/apps/${app.id}/diagnostics/disk`)).status).toBe(200);
  });
});

/** Processes following this app's logs (the agent's pct and the guest's docker alike). */
function followers(): string[] {
  const ps = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return ps.split("\n").filter((l) => l.includes(" logs ") && l.includes("--follow") && l.includes(app.name));
}
