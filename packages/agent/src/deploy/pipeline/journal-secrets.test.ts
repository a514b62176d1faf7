// A deploy carrying secrets through the real job runner and journal: nothing secret is written
// to the agent's state dir or its log, and an agent restart mid-deploy still resumes with them.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobRunner, type OutgoingFrame } from "../../jobs/runner.ts";
import { Journal } from "../../journal/journal.ts";
import { createLogger } from "../../log.ts";
import { caddyInstalled, httpsGet, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { clientFor, startTestSim } from "../../testing/sim.ts";
import { openRunner } from "./connect.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { composeDeploy, testDeps } from "./testing.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim(), startCaddy()]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

const SECRET = "pa55-Secret-value-91f3";
const COMPOSE_PASSWORD = "generated-db-password-7c2e";

/** Every file under a directory, as text. */
async function allText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = names.filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
  return (await Promise.all(files.map((f) => readFile(f, "utf8")))).join("\n");
}

describe.skipIf(!caddyInstalled())("secrets of a deploy at rest on the agent", { timeout: 60_000 }, () => {
  it("are neither in the journal nor in the log, and survive an agent restart mid-deploy", async () => {
    const logLines: string[] = [];
    const log = createLogger("debug", (line) => logLines.push(line));
    let sent: OutgoingFrame[] = [];
    let journal = await Journal.open(deps.stateDir, { log });
    const makeRunner = () =>
      new JobRunner({
        journal,
        pve: clientFor(sim),
        nodeName: sim.node,
        log,
        send: (f) => {
          sent.push(f);
          return true;
        },
        maxConcurrentJobs: 4,
      });
    let runner = makeRunner();
    const base = composeDeploy("sealed", 8620);
    const params = {
      ...base,
      source: {
        type: "compose" as const,
        compose: `services:\n  web:\n    image: nginx:1.27-alpine\n    environment:\n      DB_PASSWORD: ${COMPOSE_PASSWORD}\n    ports:\n      - "8620:80"\n`,
      },
      secrets: { API_TOKEN: SECRET },
    };
    const stepped = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (sent.some((f) => f.type === "event" && f.event.kind === "step" && f.event.step === "docker")) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    await runner.offer({ v: 1, type: "offer", jobId: "job_sealed", kind: "app.deploy", params, attempt: 1 });
    // The agent stops while the deploy is in its docker step: the job stays in the journal.
    await stepped;
    await runner.stop(0);
    await journal.close();
    expect(sent.some((f) => f.type === "event" && f.event.kind === "result")).toBe(false);
    let atRest = await allText(deps.stateDir);
    expect(atRest).toContain("job_sealed");
    expect(atRest).not.toContain(SECRET);
    expect(atRest).not.toContain(COMPOSE_PASSWORD);

    sent = [];
    journal = await Journal.open(deps.stateDir, { log });
    runner = makeRunner();
    runner.recover();
    let result: Extract<OutgoingFrame, { type: "event" }>["event"] | undefined;
    for (let i = 0; i < 600 && !result; i++) {
      for (const f of sent) if (f.type === "event" && f.event.kind === "result") result = f.event;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(result).toMatchObject({ status: "succeeded" });
    const steps = sent.flatMap((f) =>
      f.type === "event" && f.event.kind === "step" ? [`${f.event.step} ${f.event.status}`] : [],
    );
    expect(steps).not.toContain("create started");
    const vmid = (result as { result: { vmid: number } }).result.vmid;

    // The resumed deploy had its secrets: the app's environment in the guest carries them.
    const open = await openRunner(deps, { type: "lxc", vmid, address: null });
    try {
      const env = await open.runner.run(["cat", "--", "/opt/pylon/sealed/.pylon/compose.env.yaml"]);
      expect(env.stdout).toContain(SECRET);
      const compose = await open.runner.run(["cat", "--", "/opt/pylon/sealed/compose.yaml"]);
      expect(compose.stdout).toContain(COMPOSE_PASSWORD);
    } finally {
      await open.close();
    }
    const page = await httpsGet("sealed.pylon.test", caddy.httpsPort, await caddy.rootCa());
    expect(page.status).toBe(200);

    await runner.stop(0);
    await journal.close();
    atRest = await allText(deps.stateDir);
    expect(atRest).not.toContain(SECRET);
    expect(atRest).not.toContain(COMPOSE_PASSWORD);
    const logged = logLines.join("");
    expect(logged).toContain("resuming a job interrupted by an agent stop");
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain(COMPOSE_PASSWORD);
  });
});
