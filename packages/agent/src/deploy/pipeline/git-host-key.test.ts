// Cloning over SSH checks the Git host's key: trusted on first use (and reported), required
// when pinned, refused when it does not match. A real SSH server and the simulator's guest.
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobError } from "../../jobs/types.ts";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { NODE_APP } from "./git-fixture.ts";
import { chooseHostKey, parseKeyscan, sshTargetOf } from "./git-host-key.ts";
import { type SshRepo, serveRepoOverSsh } from "./git-ssh-fixture.ts";
import { composeDeploy, deploy, testContext, testDeps } from "./testing.ts";

describe("the Git host's key, without a host", () => {
  it("finds the host and port of ssh URLs, and refuses an option-looking host", () => {
    expect(sshTargetOf("ssh://git@git.example.com:2222/a/b.git")).toEqual({
      host: "git.example.com",
      port: 2222,
    });
    expect(sshTargetOf("git@github.com:acme/site.git")).toEqual({ host: "github.com", port: 22 });
    expect(sshTargetOf("https://github.com/acme/site.git")).toBeNull();
    expect(() => sshTargetOf("git@-oProxyCommand:x")).toThrow(/not a host name/);
  });

  it("trusts the strongest key on first use, only the pinned one after, and names both on a mismatch", () => {
    const offered = parseKeyscan(
      [
        "# github.com:22 SSH-2.0-babeld",
        "github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
        "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
      ].join("\n"),
    );
    const target = { host: "github.com", port: 22 };
    // GitHub's published fingerprints.
    const ed = "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU";
    const rsa = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
    expect(offered.map((k) => k.fingerprint)).toEqual([rsa, ed]);
    const first = chooseHostKey(target, offered, undefined);
    expect(first).toMatchObject({ firstUse: true, key: { keyType: "ssh-ed25519", fingerprint: ed } });
    expect(first.knownHostsLine).toMatch(/^github\.com ssh-ed25519 AAAA\S+\n$/);
    const pinned = chooseHostKey(target, offered, rsa);
    expect(pinned).toMatchObject({ firstUse: false, hostKeyAlgorithms: "rsa-sha2-512,rsa-sha2-256" });
    expect(() => chooseHostKey({ host: "h", port: 2222 }, offered, `SHA256:${"A".repeat(43)}`)).toThrow(
      /SSH host key of \[h\]:2222 is not the pinned SHA256:A+: it offers .*ssh-ed25519/,
    );
  });
});

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };
let repo: SshRepo;

beforeAll(async () => {
  if (!caddyInstalled()) return;
  [sim, caddy, repo] = await Promise.all([startTestSim(), startCaddy(), serveRepoOverSsh(NODE_APP)]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup(), repo?.close()]);
});

const sshDeploy = (name: string, port: number, hostKey?: string) =>
  composeDeploy(name, port, {
    source: { type: "git", url: repo.url, ref: "main", buildMode: "auto", ...(hostKey ? { hostKey } : {}) },
    deployKey: repo.deployKey,
  });

describe.skipIf(!caddyInstalled())("cloning over SSH", { timeout: 60_000 }, () => {
  it("trusts the host's key on first use, says so with its fingerprint, and reports it", async () => {
    const ctx = testContext(sim);
    const result = await deploy(sshDeploy("ssh-first", 8410), ctx);
    expect(result.commit).toBe(repo.commit);
    expect(result.hostKey).toEqual({ fingerprint: repo.hostFingerprint, keyType: "ssh-ed25519" });
    const warned = ctx.events.find((e) => e.kind === "log" && e.message.includes("trusted on first use"));
    expect(warned).toMatchObject({ level: "warn" });
    expect(warned?.kind === "log" && warned.message).toContain(repo.hostFingerprint);
    const fetched = ctx.events.find(
      (e) => e.kind === "step" && e.step === "fetch" && e.status === "succeeded",
    );
    expect(fetched?.kind === "step" && fetched.message).toContain(`SSH host key ${repo.hostFingerprint}`);
  });

  it("clones when the pinned key is the host's", async () => {
    const result = await deploy(sshDeploy("ssh-pinned", 8411, repo.hostFingerprint), testContext(sim));
    expect(result.hostKey?.fingerprint).toBe(repo.hostFingerprint);
  });

  it("refuses a host whose key is not the pinned one, at the plan, before any guest or clone", async () => {
    const ctx = testContext(sim);
    const wrong = `SHA256:${"B".repeat(43)}`;
    const err = await deploy(sshDeploy("ssh-wrong", 8412, wrong), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    // The plan's fetch on the host checks the pin first: nothing was created on the node.
    expect((err as JobError).step).toBe("plan");
    expect((err as Error).message).toContain(`is not the pinned ${wrong}: it offers ${repo.hostFingerprint}`);
    expect(ctx.events.some((e) => e.kind === "log" && e.message.startsWith("git clone"))).toBe(false);
    expect(ctx.events.some((e) => e.kind === "step" && e.step === "create")).toBe(false);
  });
});
