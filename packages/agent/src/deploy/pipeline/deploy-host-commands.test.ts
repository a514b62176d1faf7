import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { composeDeploy, deploy, testContext, testDeps } from "./testing.ts";

// Every `pct` on a real host is a Perl program with 0.3–0.6 s of start-up, so how many a
// deploy runs is part of its cost: one `pct set` (keyctl, root only) and one `pct exec` session
// for all of the guest's commands.
let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pylon-host-commands-"));
  [sim, caddy] = await Promise.all([startTestSim({ callLogFile: join(dir, "calls.jsonl") }), startCaddy()]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
  rmSync(dir, { recursive: true, force: true });
});

const calls = () =>
  readFileSync(join(dir, "calls.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map(
      (l) =>
        JSON.parse(l) as {
          kind: string;
          argv?: string[];
          method?: string;
          path?: string;
          params?: Record<string, string>;
        },
    );

describe.skipIf(!caddyInstalled())("host commands and API calls of a deploy", () => {
  it("a compose app into an LXC takes two pct calls: pct set and one pct exec session", async () => {
    const result = await deploy(composeDeploy("few", 8080), testContext(sim));
    const host = calls()
      .filter((c) => c.kind === "host")
      .map((c) => (c.argv ?? []).slice(0, 3).join(" "));
    expect(host).toEqual([`pct set ${result.vmid}`, `pct exec ${result.vmid}`]);
  }, 60_000);

  it("creates the CT from the newest template by version (12.12 after 12.7, not before)", async () => {
    const local = sim.world.storage("local");
    const volid = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst";
    local.volumes.set(volid, { volid, content: "vztmpl", size: 130_000_000, format: "tzst", ctime: 0 });
    await deploy(composeDeploy("newer", 8081), testContext(sim));
    const create = calls().find(
      (c) => c.method === "POST" && c.path === "/nodes/pve/lxc" && c.params?.hostname === "newer",
    );
    expect(create?.params?.ostemplate).toBe(volid);
  }, 60_000);
});
