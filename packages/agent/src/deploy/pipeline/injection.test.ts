import { existsSync } from "node:fs";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { JobError } from "../../jobs/types.ts";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { PctRunner } from "../../runners/pct.ts";
import { injectionCorpus, markerPath } from "../../runners/testing.ts";
import { startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { composeDeploy, deploy, simState, testContext, testDeps } from "./testing.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };
const marker = markerPath();
const corpus = injectionCorpus(marker);

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim(), startCaddy()]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

/** The error of a deploy that must fail. */
async function refused(params: Parameters<typeof deploy>[0]): Promise<JobError> {
  const err = await deploy(params, testContext(sim)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(JobError);
  return err as JobError;
}

describe.skipIf(!caddyInstalled())(
  "shell-injection corpus in every user-provided field",
  { timeout: 30_000 },
  () => {
    it("names, refs, URLs and route hosts are refused before anything runs", async () => {
      for (const payload of corpus) {
        expect((await refused(composeDeploy(payload, 8500))).step).toBe("validate");
        const git = composeDeploy("inj", 8500, {
          source: { type: "git", url: "https://example.test/r.git", ref: payload, buildMode: "auto" },
        });
        expect((await refused(git)).step).toBe("validate");
        const url = composeDeploy("inj", 8500, {
          source: { type: "git", url: payload, ref: "main", buildMode: "auto" },
        });
        expect((await refused(url)).step).toBe("validate");
        const host = composeDeploy("inj", 8500, { route: { id: "inj", host: payload, tls: "internal" } });
        expect((await refused(host)).step).toBe("validate");
      }
      expect((await simState(sim)).guests.map((g) => g.vmid)).toEqual([9000]);
      expect(existsSync(marker)).toBe(false);
    });

    it("env values, secrets and compose content reach the guest literally and execute nothing", async () => {
      const env = Object.fromEntries(corpus.map((p, i) => [`V${i}`, p]));
      const secrets = Object.fromEntries(corpus.map((p, i) => [`S${i}`, p]));
      const compose = stringify({
        services: {
          web: {
            image: "nginx:1.27-alpine",
            ports: ["8501:80"],
            labels: Object.fromEntries(corpus.map((p, i) => [`x.pylon.l${i}`, p])),
          },
        },
      });
      const params = composeDeploy("inj", 8501, { env, secrets, source: { type: "compose", compose } });
      const result = await deploy(params, testContext(sim));
      const pct = new PctRunner({ vmid: result.vmid, pctPath: deps.pctPath, processEnv: deps.pctEnv });
      const override = await pct.run(["cat", "/opt/pylon/inj/.pylon/compose.env.yaml"]);
      const written: unknown = parse(override.stdout);
      const expected = Object.fromEntries(
        Object.entries({ ...env, ...secrets }).map(([k, v]) => [k, v.replaceAll("$", () => "$$")]),
      );
      expect(written).toEqual({ services: { web: { environment: expected } } });
      const stored = await pct.run(["cat", "/opt/pylon/inj/compose.yaml"]);
      expect(stored.stdout).toBe(compose);
      expect(existsSync(marker)).toBe(false);
    }, 60_000);
  },
);
