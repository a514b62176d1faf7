import type { Sim } from "@pylon/pve-sim";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JobError } from "../../jobs/types.ts";
import { CaddyRoutes } from "../../routes/caddy-routes.ts";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import type { CommandRunner } from "../../runners/types.ts";
import { addFault, startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { type ServedRepo, serveRepo } from "./git-fixture.ts";
import { composeDeploy, deploy, simState, testContext, testDeps } from "./testing.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };
let routes: CaddyRoutes;
/** Set by a test: makes `docker compose up` fail in the guest with this text. */
let failComposeUp: string | undefined;
/** Set by a test: makes `docker run hello-world` fail with this text. */
let failHello: string | undefined;
let repo: ServedRepo;

beforeAll(async () => {
  [sim, caddy, repo] = await Promise.all([
    startTestSim(),
    startCaddy(),
    serveRepo({ Dockerfile: "FROM node:22-alpine\nCOPY missing.js .\nEXPOSE 3000\n", "x.js": "" }),
  ]);
  deps = await testDeps(sim, caddy);
  routes = new CaddyRoutes({
    adminUrl: caddy.adminUrl,
    httpsPort: caddy.httpsPort,
    httpPort: caddy.httpPort,
  });
  deps.wrapRunner = (_guest, inner): CommandRunner => ({
    push: (source, path, mode) => inner.push(source, path, mode),
    async run(argv, opts) {
      if (failComposeUp && argv.includes("compose") && argv.includes("up"))
        return { exitCode: 1, stdout: "", stderr: failComposeUp, truncated: false };
      if (failHello && argv.includes("hello-world"))
        return { exitCode: 125, stdout: "", stderr: failHello, truncated: false };
      return inner.run(argv, opts);
    },
  });
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup(), repo?.close()]);
});
afterEach(async () => {
  failComposeUp = undefined;
  failHello = undefined;
  await fetch(`${sim.controlUrl}/faults`, { method: "DELETE" });
});

/** Nothing of a failed deploy is left: no guest but the template, no lock, no process, no route. */
async function expectNothingLeft(): Promise<void> {
  const state = await simState(sim);
  expect(state.guests.map((g) => g.vmid)).toEqual([9000]);
  expect(state.fileLocks).toEqual([]);
  expect(state.processes.filter((p) => p.kind === "container" || /docker|guest/.test(p.description))).toEqual(
    [],
  );
  expect(await routes.listRoutes()).toEqual([]);
}

/** Runs a deploy that must fail and returns its error. */
async function failedDeploy(params: Parameters<typeof deploy>[0]) {
  const ctx = testContext(sim);
  const err = await deploy(params, ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JobError);
  return { err: err as JobError, steps: ctx.steps(), ctx };
}

describe.skipIf(!caddyInstalled())(
  "app.deploy fault injection: every failure is undone",
  { timeout: 30_000 },
  () => {
    it("create task fails: the step and Proxmox's text are reported", async () => {
      await addFault(sim, { taskType: "vzcreate", action: "fail", message: "lvcreate failed: out of space" });
      const { err, steps } = await failedDeploy(composeDeploy("faulty-create", 8101));
      expect(err.step).toBe("create");
      expect(err.message).toMatch(/^create failed: .*lvcreate failed: out of space/);
      expect(steps).toContain("create failed");
      await expectNothingLeft();
    });

    it("start task fails: the CT is destroyed again", async () => {
      await addFault(sim, { taskType: "vzstart", action: "fail", message: "startup for container failed" });
      const { err, steps } = await failedDeploy(composeDeploy("faulty-start", 8102));
      expect(err.step).toBe("start");
      expect(err.message).toContain("startup for container failed");
      expect(steps).toEqual(expect.arrayContaining(["start failed", "create undone"]));
      await expectNothingLeft();
    });

    it("docker compose up fails: containers, guest and route are gone", async () => {
      failComposeUp = "Error response from daemon: driver failed programming external connectivity";
      const { err, steps } = await failedDeploy(composeDeploy("faulty-run", 8103));
      expect(err.step).toBe("run");
      expect(err.message).toContain("driver failed programming external connectivity");
      expect(steps).toEqual(expect.arrayContaining(["run failed", "run undone", "create undone"]));
      await expectNothingLeft();
    });

    it("health check fails: the app is stopped and the guest destroyed", async () => {
      const params = composeDeploy("faulty-health", 8104, {
        http: { port: 8199, path: "/", timeoutSeconds: 1 },
      });
      const { err } = await failedDeploy(params);
      expect(err.step).toBe("health");
      expect(err.message).toMatch(/health failed: http:\/\/127\.77\.[\d.]+:8199\/ .*did not answer/);
      await expectNothingLeft();
    });

    it("snapshot task fails: the route is removed again", async () => {
      await addFault(sim, {
        taskType: "vzsnapshot",
        action: "fail",
        message: "snapshot feature is not available",
      });
      const { err, steps } = await failedDeploy(composeDeploy("faulty-snap", 8105));
      expect(err.step).toBe("snapshot");
      expect(err.message).toContain("snapshot feature is not available");
      expect(steps).toEqual(expect.arrayContaining(["route undone", "run undone", "create undone"]));
      await expectNothingLeft();
    });

    it("VM clone fails: nothing is left", async () => {
      await addFault(sim, { taskType: "qmclone", action: "fail", message: "clone failed: storage full" });
      const params = composeDeploy("faulty-clone", 8106);
      params.guest.type = "qemu";
      const { err } = await failedDeploy(params);
      expect(err.step).toBe("create");
      expect(err.message).toContain("clone failed: storage full");
      await expectNothingLeft();
    });

    it("the address cannot be read: Proxmox's text, the CT destroyed", async () => {
      await addFault(sim, {
        path: "/lxc/\\d+/interfaces$",
        action: "fail",
        message: "interfaces unavailable",
        times: 1,
      });
      const { err } = await failedDeploy(composeDeploy("faulty-address", 8107));
      expect(err.step).toBe("address");
      expect(err.message).toContain("interfaces unavailable");
      await expectNothingLeft();
    });

    it("docker cannot run a container in the guest: the docker step fails with docker's text", async () => {
      failHello =
        "docker: Error response from daemon: failed to create task: open sysctl net.ipv4.ip_unprivileged_port_start file: permission denied";
      const { err } = await failedDeploy(composeDeploy("faulty-docker", 8108));
      expect(err.step).toBe("docker");
      expect(err.message).toContain("ip_unprivileged_port_start");
      await expectNothingLeft();
    });

    it("the ref does not exist: the plan step says so before any guest is created", async () => {
      const params = composeDeploy("faulty-fetch", 8109, {
        source: { type: "git", url: repo.url, ref: "no-such-branch", buildMode: "auto" },
      });
      const { err, ctx } = await failedDeploy(params);
      expect(err.step).toBe("plan");
      expect(err.message).toMatch(
        /^plan failed: git fetch failed: .*couldn't find remote ref no-such-branch/,
      );
      expect(ctx.steps()).not.toContain("reserve started");
      await expectNothingLeft();
    });

    it("a repository Pylon cannot build is refused naming what it has, before any guest is created", async () => {
      const hugo = await serveRepo({ Gemfile: "source 'https://rubygems.org'\n", "config.ru": "run App\n" });
      try {
        const params = composeDeploy("faulty-plan", 8111, {
          source: { type: "git", url: hugo.url, ref: "main", buildMode: "auto" },
        });
        const { err, ctx } = await failedDeploy(params);
        expect(err.message).toMatch(
          /^plan failed: could not tell how to build this repository: it has a Gemfile \(Ruby\)/,
        );
        expect(ctx.steps()).toEqual(["plan started", "plan failed"]);
        await expectNothingLeft();
      } finally {
        await hugo.close();
      }
    });

    it("the build fails: docker build's own error", async () => {
      const params = composeDeploy("faulty-build", 8110, {
        source: { type: "git", url: repo.url, ref: "main", buildMode: "auto" },
      });
      const { err } = await failedDeploy(params);
      expect(err.step).toBe("build");
      expect(err.message).toMatch(/docker build exited 1: .*missing\.js.*not found/);
      await expectNothingLeft();
    });
  },
);
