// The installer and the agent's unit on a real systemd host: Debian 12 (PVE 8's base) and
// Debian 13 (PVE 9's base) booted with systemd as PID 1 in systemd-nspawn, the real installer
// piped from the running control plane (`curl …/install/agent.sh | sh`), real systemd starting
// the unit with its sandbox, a catalog app deployed into an LXC through it, and --uninstall.
// Inside, `pveversion`, `pveum` and `pct` are the simulator's executables, and `pct` writes the
// CT's config where real `pct` does (/etc/pve/nodes/<node>/lxc/<vmid>.conf, /etc/pve being a
// directory standing in for pmxcfs) and needs lxc-attach's capabilities: a unit sandbox that
// blocks either fails the deploy.
//
// Cost on this machine (2 cores): cold, debootstrap of both suites ~2 min (cached under
// /var/cache/pylon-test/rootfs/); warm, ~1 min for both hosts (boot, install, deploy, uninstall).
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Sim, startSimulator } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCaddy, type TestCaddy } from "../../packages/agent/src/routes/testing.ts";
import { type Client, ROOT as REPO, type RunningServer as Server } from "./support/server.ts";
import { adminClient, controlPlane, jobFinished, until } from "./support/stack.ts";
import {
  bootSystemdHost,
  capabilityNames,
  debianRootfs,
  type SystemdHost,
  systemdHostUnavailable,
  unitCapabilities,
} from "./support/systemd-host.ts";

const ROOT = REPO;
type RunningServer = Server;
const unavailable = systemdHostUnavailable();
const NODE = "pve";
const UNIT = readFileSync(join(ROOT, "packages/agent/src/install/pylon-agent.service"), "utf8");

/** The simulator's host commands as executables on the host's PATH, acting on `sim`. */
function hostCommands(dir: string, sim: Sim): void {
  mkdirSync(dir, { recursive: true });
  for (const name of ["pct", "pveum", "pveversion"]) {
    const file = join(dir, name);
    writeFileSync(
      file,
      [
        "#!/bin/sh",
        `export PVE_SIM_CONTROL=${sim.controlUrl} PVE_SIM_ETC_PVE=/etc/pve PVE_SIM_NODE=${NODE}`,
        `exec node /opt/pve-sim/bin/host-command.cjs ${name} "$@"`,
        "",
      ].join("\n"),
    );
    chmodSync(file, 0o755);
  }
}

/** /etc/pve as pmxcfs shows it to a node: its folder, the `local` link to it, the cluster CA. */
function etcPve(dir: string, sim: Sim): void {
  for (const d of ["lxc", "qemu-server"]) mkdirSync(join(dir, "nodes", NODE, d), { recursive: true });
  symlinkSync(`nodes/${NODE}`, join(dir, "local"));
  writeFileSync(join(dir, "pve-root-ca.pem"), sim.caCertPem);
}

/**
 * The agent keeps itself current, restarted by real systemd: an older agent updates itself to
 * the control plane's bundle at its next hello; a new bundle that cannot start is rolled back by
 * the unit's ExecStartPre once the confirmation deadline (10 s here) has passed.
 */
async function selfUpdate(
  api: Client,
  nodeId: string,
  sh: (script: string) => Promise<{ code: number; stdout: string; stderr: string }>,
  served: string,
): Promise<void> {
  const node = async () => (await api.call("GET", `/api/v1/nodes/${nodeId}`)).json;
  execFileSync(process.execPath, [
    join(ROOT, "packages/agent/scripts/build.mjs"),
    "--outfile",
    join(served, "dist/agent.mjs"),
    "--version",
    "0.1.1",
  ]);
  // The control plane now serves 0.1.1; the agent (0.1.0) is told at its next hello.
  await sh("systemctl restart pylon-agent.service");
  const why = async (err: unknown) =>
    new Error(
      `${err}\nnode: ${JSON.stringify(await node())}\njournal:\n${(await sh("journalctl -u pylon-agent --no-pager | tail -40")).stdout}`,
    );
  await until(
    async () => {
      const n = await node();
      return n.agentVersion === "0.1.1" && n.agentUpdate?.state === "succeeded" && n.status === "online";
    },
    120_000,
    "the agent to update itself to 0.1.1",
  ).catch(async (err) => {
    throw await why(err);
  });
  expect((await sh("node /usr/local/lib/pylon-agent/agent.mjs version")).stdout.trim()).toBe("0.1.1");

  // A bundle that verifies and says its version but dies at start: back to 0.1.1 by itself.
  writeFileSync(
    join(served, "dist/agent.mjs"),
    'if (process.argv[2] === "version") { console.log("0.1.2"); process.exit(0); }\nthrow new Error("this bundle is broken");\n',
  );
  writeFileSync(join(served, "dist/agent.json"), JSON.stringify({ version: "0.1.2" }));
  expect((await api.call("POST", `/api/v1/nodes/${nodeId}/agent/update`)).status).toBe(202);
  const failed = await until(
    async () => {
      const n = await node();
      return n.agentUpdate?.state === "failed" && n.status === "online" ? n : null;
    },
    120_000,
    "the broken update to be rolled back",
  ).catch(async (err) => {
    throw await why(err);
  });
  expect(failed.agentVersion).toBe("0.1.1");
  expect(failed.agentUpdate).toMatchObject({ from: "0.1.1", to: "0.1.2" });
  expect(failed.agentUpdate.message).toBe("rolled back to 0.1.1: agent 0.1.2 did not reconnect within 10 s");
  expect((await sh("node /usr/local/lib/pylon-agent/agent.mjs version")).stdout.trim()).toBe("0.1.1");
}

describe.skipIf(unavailable !== null)(
  `the installer under real systemd${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    let server: RunningServer;
    let caddy: TestCaddy;
    const dirs: string[] = [];
    // What the control plane serves at /install (the installer, the bundle): a copy the
    // self-update part swaps newer bundles into.
    let served = "";
    const serveRepoAgent = () => {
      cpSync(join(ROOT, "packages/agent/dist/agent.mjs"), join(served, "dist/agent.mjs"));
      cpSync(join(ROOT, "packages/agent/dist/agent.json"), join(served, "dist/agent.json"));
    };

    beforeAll(async () => {
      // Both root filesystems first (cached after the first run), so the per-host tests time
      // only what they do.
      await debianRootfs("bookworm");
      await debianRootfs("trixie");
      caddy = await startCaddy();
      const cpDir = mkdtempSync(join(tmpdir(), "pylon-host-cp-"));
      dirs.push(cpDir);
      served = join(cpDir, "agent");
      mkdirSync(join(served, "dist"), { recursive: true });
      mkdirSync(join(served, "src/install"), { recursive: true });
      cpSync(join(ROOT, "packages/agent/src/install/agent.sh"), join(served, "src/install/agent.sh"));
      serveRepoAgent();
      server = await controlPlane(cpDir, {
        PYLON_APPS_DOMAIN: "apps.test",
        PYLON_APPS_HTTPS_PORT: String(caddy.httpsPort),
        PYLON_AGENT_DIR: served,
      });
    }, 600_000);

    afterAll(async () => {
      await server?.stop();
      await caddy?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    for (const [suite, pveVersion] of [
      ["bookworm", "8.4.5"],
      ["trixie", "9.0.10"],
    ] as const) {
      it(`Debian ${suite} (PVE ${pveVersion}): installs, runs the unit sandboxed, deploys into an LXC, uninstalls`, async () => {
        const api = await adminClient(server.url);
        const sim = await startSimulator({ node: NODE, pveVersion, auth401DelayMs: 0, clockScale: 0 });
        const dir = mkdtempSync(join(tmpdir(), `pylon-host-${suite}-`));
        dirs.push(dir);
        let host: SystemdHost | undefined;
        try {
          const created = await api.call("POST", "/api/v1/nodes", { name: `${NODE}-${suite}` });
          expect(created.status).toBe(201);
          const nodeId: string = created.json.node.id;
          hostCommands(join(dir, "sbin"), sim);
          etcPve(join(dir, "etc-pve"), sim);
          mkdirSync(join(dir, "srv"));
          writeFileSync(join(dir, "srv", "token"), `${created.json.enrollment.token}\n`);
          writeFileSync(join(dir, "hostname"), `${NODE}\n`);
          // The operator's own settings for the unit: this test's Caddy instead of localhost:2019.
          mkdirSync(join(dir, "dropin"));
          writeFileSync(
            join(dir, "dropin", "10-caddy.conf"),
            `[Service]\nEnvironment=PYLON_AGENT_CADDY_ADMIN_URL=${caddy.adminUrl} PYLON_AGENT_HTTPS_PORT=${caddy.httpsPort} PYLON_AGENT_HTTP_PORT=${caddy.httpPort} PYLON_AGENT_UPDATE_CONFIRM_MS=10000\n`,
          );
          const { path: rootfs } = await debianRootfs(suite);
          host = await bootSystemdHost({
            rootfs,
            name: `pylon-${suite}-${process.pid}`,
            binds: [
              { host: join(dir, "etc-pve"), guest: "/etc/pve" },
              { host: join(dir, "sbin"), guest: "/usr/local/sbin", readOnly: true },
              { host: join(ROOT, "test/pve-sim/bin"), guest: "/opt/pve-sim/bin", readOnly: true },
              {
                host: join(dir, "dropin"),
                guest: "/etc/systemd/system/pylon-agent.service.d",
                readOnly: true,
              },
              { host: join(dir, "srv"), guest: "/srv/pylon-test", readOnly: true },
              { host: join(dir, "hostname"), guest: "/etc/hostname", readOnly: true },
            ],
          });
          const sh = (script: string) => host!.exec(["sh", "-c", script], { timeoutMs: 180_000 });

          // The one-liner, as an admin runs it (token from a file, not argv; plain http: --insecure).
          const pveUrl = sim.apiUrl.replace(/\/api2\/json$/, "");
          const install = await sh(
            `curl -fsSL '${server.url}/install/agent.sh' | sh -s -- --url '${server.url}' --insecure --token-file /srv/pylon-test/token --pve-url '${pveUrl}'`,
          );
          expect(install.code, install.stderr).toBe(0);
          expect(install.stderr).toContain("installed");
          // The installer made a real token with role PylonAgent in the simulated cluster.
          expect(sim.world.auth.tokens.has("pylon@pve!agent")).toBe(true);

          await until(
            async () => (await api.call("GET", `/api/v1/nodes/${nodeId}`)).json.status === "online",
            60_000,
            "the agent under systemd to come online",
          );
          // Real systemd runs it with the unit's sandbox: its bounding set, seccomp and no_new_privs.
          const pid = (await sh("systemctl show -p MainPID --value pylon-agent.service")).stdout.trim();
          const status = (await sh(`cat /proc/${pid}/status`)).stdout;
          expect(capabilityNames(status, "CapBnd").sort()).toEqual(unitCapabilities(UNIT).sort());
          expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
          expect(status).toMatch(/^Seccomp:\s+2$/m);
          const ro = await sh(
            `nsenter -t ${pid} -m -- sh -c 'touch /etc/pve/x 2>&1; touch /usr/x 2>&1; true'`,
          );
          expect(ro.stdout).toContain("/etc/pve/x': Read-only file system");
          expect(ro.stdout).toContain("/usr/x': Read-only file system");

          const deploy = await api.call("POST", "/api/v1/apps", {
            name: `web-${suite}`,
            source: { type: "catalog", catalogId: "nginx", parameters: {} },
            target: { nodeId, type: "lxc" },
          });
          expect(deploy.status).toBe(202);
          const job = await jobFinished(api, deploy.json.lastJobId, 180_000);
          expect(
            job.error ?? "",
            `agent log:\n${(await sh("journalctl -u pylon-agent --no-pager | tail -40")).stdout}`,
          ).toBe("");
          expect(job.status).toBe("succeeded");
          const vmid: number = job.result.vmid;
          // `pct set` (keyctl, which only root may set) wrote the config into "pmxcfs".
          const conf = readFileSync(join(dir, "etc-pve", "nodes", NODE, "lxc", `${vmid}.conf`), "utf8");
          expect(conf).toMatch(/^features: nesting=1,keyctl=1$/m);
          expect(conf).toMatch(new RegExp(`^hostname: web-${suite}$`, "m"));

          // Node 18 (PVE 8's nodejs) is the oldest the agent runs on: prove the self-update there.
          if (suite === "bookworm") {
            try {
              await selfUpdate(api, nodeId, sh, served);
            } finally {
              serveRepoAgent();
            }
          }

          // Uninstall, piped the same way: the unit, its files and the PVE user, role and token go.
          const uninstall = await sh(`curl -fsSL '${server.url}/install/agent.sh' | sh -s -- --uninstall`);
          expect(uninstall.code, uninstall.stderr).toBe(0);
          expect((await sh("systemctl is-active pylon-agent.service")).stdout.trim()).not.toBe("active");
          expect(
            (await sh("ls /etc/pylon /var/lib/pylon-agent /usr/local/lib/pylon-agent 2>&1")).stdout,
          ).not.toMatch(/credential|agent\.mjs|journal/);
          expect((await sh("test -e /etc/systemd/system/pylon-agent.service")).code).not.toBe(0);
          expect(sim.world.auth.tokens.has("pylon@pve!agent")).toBe(false);
          expect(sim.world.auth.users.has("pylon@pve")).toBe(false);
          expect(sim.world.auth.roles.has("PylonAgent")).toBe(false);
        } finally {
          await host?.stop();
          await sim.stop();
        }
      }, 420_000);
    }
  },
);
