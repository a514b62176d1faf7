import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const pkg = join(here, "../..");
const SCRIPT = join(here, "agent.sh");
/** PYLON_AGENT_TEST_NODE puts another node first on the installer's PATH (e.g. Debian's nodejs 18). */
const NODE = process.env.PYLON_AGENT_TEST_NODE;
const PVE_SECRET = "8a5cc7f5-3b3e-4c4e-9f6d-2a3f1c5e9b10";
const ENROLL_TOKEN = "pyl_enroll_0123456789";
const ENROLL_TOKEN_2 = "pyl_enroll_second";
const MORE_TOKENS = ["pyl_enroll_pve9", "pyl_enroll_pve9_again", "pyl_enroll_caddy", "pyl_enroll_caddy_2"];

let server: Server;
let url: string;
let bundle: Buffer;
let buildDir: string;
const enrollBodies: unknown[] = [];

/**
 * Records argv of every call, one line each. pveversion prints $STUB_PVE_VERSION (8.4.5 unless
 * set); pveum answers like that version does, refusing the other major's privileges as the real
 * one refuses unknown ones, and `role add` of an existing role when $STUB_ROLE_EXISTS is set.
 */
const STUB = (name: string) => `#!/bin/sh
{ printf '%s' "${name}"; for a in "$@"; do printf ' %s' "$a"; done; printf '\\n'; } >>"$STUB_LOG"
if [ "${name}" = pveversion ]; then
  echo "pve-manager/\${STUB_PVE_VERSION:-8.4.5}/c5ee6d2a6d2bd9c3 (running kernel: 6.8.12-4-pve)"
fi
if [ "${name}" = pveum ]; then
  case "$1 $2 $3" in
    "user list "*) echo '[{"userid":"root@pam"}]' ;;
    "user token add") echo '{"full-tokenid":"pylon@pve!agent","info":{"privsep":"0"},"value":"${PVE_SECRET}"}' ;;
    "user token remove") [ -n "$STUB_TOKEN_EXISTS" ] || exit 2 ;;
    "role add "*) [ -z "$STUB_ROLE_EXISTS" ] || { echo "role '$3' already exists" >&2; exit 255; } ;;
  esac
  case "\${STUB_PVE_VERSION:-8.4.5} $*" in
    8.*VM.GuestAgent*|9.*VM.Monitor*) echo "invalid privilege" >&2; exit 255 ;;
  esac
fi
exit 0
`;

/** The role's privileges the installer must give a PVE 8 host (PVE 9: VM.GuestAgent.Audit for VM.Monitor). */
const PRIVS_COMMON =
  "Sys.Audit,VM.Audit,VM.Allocate,VM.Clone,VM.Config.CPU,VM.Config.Memory,VM.Config.Disk," +
  "VM.Config.Network,VM.Config.Options,VM.PowerMgmt,VM.Snapshot,VM.Backup," +
  "Datastore.AllocateSpace,Datastore.AllocateTemplate,SDN.Use";
const PRIVS_8 = `${PRIVS_COMMON},VM.Monitor`;
const PRIVS_9 = `${PRIVS_COMMON},VM.GuestAgent.Audit`;

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "pylon-agent-build-"));
  await run(process.execPath, [join(pkg, "scripts/build.mjs"), "--outfile", join(buildDir, "agent.mjs")]);
  bundle = await readFile(join(buildDir, "agent.mjs"));
  const unused = new Set([ENROLL_TOKEN, ENROLL_TOKEN_2, ...MORE_TOKENS]);
  server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/install/agent.mjs") return void res.end(bundle);
    if (req.method === "POST" && req.url === "/agent/v1/enroll") {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        const parsed: { token?: string } = JSON.parse(body);
        enrollBodies.push(parsed);
        res.setHeader("content-type", "application/json");
        if (!parsed.token || !unused.has(parsed.token)) {
          res.writeHead(401).end(
            JSON.stringify({
              error: { code: "unauthorized", message: "enrollment token is invalid, expired or used" },
            }),
          );
          return;
        }
        unused.delete(parsed.token);
        res.end(
          JSON.stringify({
            nodeId: "node_abc",
            credential: "agent-credential-secret",
            credentialId: "cred_1",
          }),
        );
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(buildDir, { recursive: true, force: true });
});

async function makeRoot() {
  const root = await mkdtemp(join(tmpdir(), "pylon-root-"));
  // What a Debian host already has; the installer must leave these as it found them.
  for (const d of ["etc/systemd/system", "usr/local/lib", "var/lib", "stub-bin"])
    await mkdir(join(root, d), { recursive: true });
  for (const name of ["systemctl", "pveum", "pveversion", "apt-get"]) {
    await writeFile(join(root, "stub-bin", name), STUB(name));
    await chmod(join(root, "stub-bin", name), 0o755);
  }
  return root;
}

async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string) {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      out.push(relative(root, p) + (e.isDirectory() ? "/" : ""));
      if (e.isDirectory()) await walk(p);
    }
  }
  await walk(root);
  return out.sort();
}

function installer(root: string, args: string[], env: Record<string, string> = {}) {
  return run("sh", [SCRIPT, ...args], {
    env: {
      PATH: [join(root, "stub-bin"), ...(NODE ? [dirname(NODE)] : []), process.env.PATH].join(":"),
      PYLON_ROOT: root,
      STUB_LOG: join(root, "calls.log"),
      HOME: root,
      ...env,
    },
  });
}

/**
 * A PATH of the stubs plus only the host tools the installer uses, so a `caddy` installed on
 * the test machine does not count as the host's.
 */
async function hostPathWithout(root: string): Promise<string> {
  const bin = join(root, "host-bin");
  await mkdir(bin);
  const { stdout } = await run("sh", [
    "-c",
    'for t in sh curl wget mkdir chmod touch mv cp sed grep head rm; do command -v "$t" || true; done',
  ]);
  for (const tool of stdout.trim().split("\n")) await symlink(tool, join(bin, tool.split("/").at(-1) ?? ""));
  await symlink(NODE ?? process.execPath, join(bin, "node"));
  return [join(root, "stub-bin"), bin].join(":");
}

const calls = async (root: string) =>
  (await readFile(join(root, "calls.log"), "utf8").catch(() => "")).trim().split("\n");

describe("install/agent.sh in a throwaway root", () => {
  it("installs, enrolls, creates the PVE token and starts the unit; --uninstall leaves nothing behind", async () => {
    const root = await makeRoot();
    const before = await listTree(root);
    const { stderr } = await installer(root, [
      "--url",
      `${url}/`,
      "--token",
      ENROLL_TOKEN,
      "--node-name",
      "pve-test",
    ]);
    expect(stderr).toContain("installed");

    const etc = join(root, "etc/pylon");
    const mode = async (p: string) => (await stat(p)).mode & 0o777;
    expect(await mode(etc)).toBe(0o700);
    expect(await mode(join(root, "var/lib/pylon-agent"))).toBe(0o700);
    expect(await mode(join(etc, "credential.json"))).toBe(0o600);
    expect(await mode(join(etc, "pve-token"))).toBe(0o600);
    expect(await mode(join(etc, "agent.json"))).toBe(0o600);
    expect(JSON.parse(await readFile(join(etc, "credential.json"), "utf8"))).toEqual({
      nodeId: "node_abc",
      credential: "agent-credential-secret",
      credentialId: "cred_1",
    });
    expect((await readFile(join(etc, "pve-token"), "utf8")).trim()).toBe(PVE_SECRET);
    expect(JSON.parse(await readFile(join(etc, "agent.json"), "utf8"))).toEqual({
      controlPlaneUrl: url,
      nodeName: "pve-test",
      pve: { tokenId: "pylon@pve!agent", tokenSecretFile: "pve-token" },
    });
    expect(await readFile(join(root, "usr/local/lib/pylon-agent/agent.mjs"))).toEqual(bundle);
    expect(enrollBodies.at(-1)).toMatchObject({
      token: ENROLL_TOKEN,
      nodeName: "pve-test",
      agentVersion: expect.any(String),
    });

    const unit = await readFile(join(root, "etc/systemd/system/pylon-agent.service"), "utf8");
    const reference = await readFile(join(here, "pylon-agent.service"), "utf8");
    expect(unit).toBe(
      reference.replace("ExecStart=/usr/bin/node ", `ExecStart=${NODE ?? process.execPath} `),
    );
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^ReadWritePaths=\/var\/lib\/pylon-agent \/etc\/pylon$/m);

    expect(await calls(root)).toEqual([
      "pveversion",
      "pveum user list --output-format json",
      "pveum user add pylon@pve --comment Pylon agent",
      `pveum role add PylonAgent --privs ${PRIVS_8}`,
      "pveum acl modify / --users pylon@pve --roles PylonAgent",
      "pveum user token remove pylon@pve agent",
      "pveum user token add pylon@pve agent --privsep 0 --output-format json",
      "systemctl daemon-reload",
      "systemctl enable --now pylon-agent.service",
    ]);
    // The enrollment token never appears on a command line the stubs could see.
    expect((await calls(root)).join("\n")).not.toContain(ENROLL_TOKEN);

    await rm(join(root, "calls.log"));
    await installer(root, ["--uninstall"]);
    expect(await calls(root)).toEqual([
      "systemctl disable --now pylon-agent.service",
      "systemctl daemon-reload",
      "pveum user token remove pylon@pve agent",
      "pveum user delete pylon@pve",
      "pveum role delete PylonAgent",
    ]);
    await rm(join(root, "calls.log"));
    expect(await listTree(root)).toEqual(before);
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  it("takes a given PVE token (creating nothing in PVE) and a control-plane CA; uninstall keeps PVE as it was", async () => {
    const root = await makeRoot();
    const ca = join(root, "cp-ca.pem");
    await writeFile(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const before = await listTree(root);
    // A used token: the enroll step must fail loudly with the server's reason.
    const failed = await installer(root, [
      "--url",
      url,
      "--token",
      "wrong",
      "--ca-file",
      ca,
      "--pve-token-id",
      "ops@pve!pylon",
      "--pve-token-secret",
      PVE_SECRET,
    ]).catch((e: { stderr: string; stdout: string }) => e);
    expect(`${failed.stdout}${failed.stderr}`).toContain("enrollment token is invalid, expired or used");
    await installer(
      root,
      ["--url", url, "--token", ENROLL_TOKEN_2, "--ca-file", ca, "--pve-token-id", "ops@pve!pylon"],
      {
        PYLON_PVE_TOKEN_SECRET: PVE_SECRET,
      },
    );
    const etc = join(root, "etc/pylon");
    expect(JSON.parse(await readFile(join(etc, "agent.json"), "utf8"))).toMatchObject({
      caFile: "control-plane-ca.pem",
      pve: { tokenId: "ops@pve!pylon" },
    });
    expect(await readFile(join(etc, "control-plane-ca.pem"), "utf8")).toBe(await readFile(ca, "utf8"));
    expect((await calls(root)).filter((c) => c.startsWith("pveum"))).toEqual([]);
    await installer(root, ["--uninstall"]);
    expect((await calls(root)).filter((c) => c.startsWith("pveum"))).toEqual([]);
    await rm(join(root, "calls.log"), { force: true });
    expect(await listTree(root)).toEqual(before);
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  it("installs Debian's nodejs with apt when the host's node is older than 18", async () => {
    const root = await makeRoot();
    // A node 16 on PATH; the apt-get stub "installs" nothing, so the check after it still fails.
    await writeFile(join(root, "stub-bin", "node"), `#!/bin/sh\necho "node $*" >>"$STUB_LOG"\nprintf 16\n`);
    await chmod(join(root, "stub-bin", "node"), 0o755);
    const failed = await installer(root, ["--url", url, "--token", "t"]).catch((e: { stderr: string }) => e);
    expect(failed.stderr).toContain("Node.js >= 18 is required; found");
    const log = await calls(root);
    expect(log).toContain("apt-get update -qq");
    expect(log).toContain("apt-get install -y -qq nodejs");
    await rm(root, { recursive: true, force: true });
  });

  it("gives a PVE 9 host PVE 9's privileges; a re-run updates the existing role in place", async () => {
    const root = await makeRoot();
    const env = { STUB_PVE_VERSION: "9.0.10" };
    await installer(root, ["--url", url, "--token", MORE_TOKENS[0] ?? ""], env);
    expect((await calls(root)).filter((c) => c.includes("role"))).toEqual([
      `pveum role add PylonAgent --privs ${PRIVS_9}`,
      "pveum acl modify / --users pylon@pve --roles PylonAgent",
    ]);
    await rm(join(root, "calls.log"));
    await installer(root, ["--url", url, "--token", MORE_TOKENS[1] ?? ""], { ...env, STUB_ROLE_EXISTS: "1" });
    expect((await calls(root)).filter((c) => c.includes("role"))).toEqual([
      `pveum role add PylonAgent --privs ${PRIVS_9}`,
      `pveum role modify PylonAgent --privs ${PRIVS_9}`,
      "pveum acl modify / --users pylon@pve --roles PylonAgent",
    ]);
    // The role was created by the first run, so --uninstall still removes it.
    await rm(join(root, "calls.log"));
    await installer(root, ["--uninstall"]);
    expect(await calls(root)).toContain("pveum role delete PylonAgent");
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  it("refuses a host that is not PVE 8 or 9 before writing anything", async () => {
    const root = await makeRoot();
    const before = await listTree(root);
    const failed = await installer(root, ["--url", url, "--token", "t"], { STUB_PVE_VERSION: "7.4.3" }).catch(
      (e: { stderr: string }) => e,
    );
    expect(failed.stderr).toContain("Proxmox VE 8 or 9 is required (pveversion says: pve-manager/7.4.3/");
    expect(await calls(root)).toEqual(["pveversion"]);
    await rm(join(root, "calls.log"));
    expect(await listTree(root)).toEqual(before);
    await rm(root, { recursive: true, force: true });
  });

  it("--caddy installs Debian's caddy when missing and runs caddy-api.service; --uninstall purges it", async () => {
    const root = await makeRoot();
    const PATH = await hostPathWithout(root);
    const before = await listTree(root);
    await installer(root, ["--url", url, "--token", MORE_TOKENS[2] ?? "", "--caddy"], { PATH });
    expect((await calls(root)).filter((c) => !c.startsWith("pve"))).toEqual([
      // This PATH has no git, which the agent needs to plan Git deploys on the host.
      "apt-get update -qq",
      "apt-get install -y -qq git",
      "apt-get update -qq",
      "apt-get install -y -qq caddy",
      "systemctl is-enabled --quiet caddy.service",
      "systemctl disable --now caddy.service",
      "systemctl enable --now caddy-api.service",
      "systemctl daemon-reload",
      "systemctl enable --now pylon-agent.service",
    ]);
    await rm(join(root, "calls.log"));
    await installer(root, ["--uninstall"], { PATH });
    expect((await calls(root)).filter((c) => !c.startsWith("pve"))).toEqual([
      "systemctl disable --now pylon-agent.service",
      "systemctl daemon-reload",
      "systemctl disable --now caddy-api.service",
      "apt-get purge -y caddy",
      "apt-get remove -y git",
    ]);
    await rm(join(root, "calls.log"));
    expect(await listTree(root)).toEqual(before);
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  it("--caddy keeps a caddy it finds and --uninstall switches it back to caddy.service", async () => {
    const root = await makeRoot();
    await writeFile(join(root, "stub-bin", "caddy"), STUB("caddy"));
    await chmod(join(root, "stub-bin", "caddy"), 0o755);
    const before = await listTree(root);
    await installer(root, ["--url", url, "--token", MORE_TOKENS[3] ?? "", "--caddy"]);
    expect((await calls(root)).filter((c) => !c.startsWith("pve"))).toEqual([
      "systemctl is-enabled --quiet caddy.service",
      "systemctl disable --now caddy.service",
      "systemctl enable --now caddy-api.service",
      "systemctl daemon-reload",
      "systemctl enable --now pylon-agent.service",
    ]);
    await rm(join(root, "calls.log"));
    await installer(root, ["--uninstall"]);
    expect((await calls(root)).filter((c) => !c.startsWith("pve"))).toEqual([
      "systemctl disable --now pylon-agent.service",
      "systemctl daemon-reload",
      "systemctl disable --now caddy-api.service",
      "systemctl enable --now caddy.service",
    ]);
    await rm(join(root, "calls.log"));
    expect(await listTree(root)).toEqual(before);
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  it("refuses bad arguments before touching anything", async () => {
    const root = await makeRoot();
    const before = await listTree(root);
    for (const args of [
      ["--token", "t"],
      ["--url", "ftp://x", "--token", "t"],
      ["--url", url],
      ["--bogus"],
    ]) {
      await expect(installer(root, args)).rejects.toMatchObject({
        stderr: expect.stringContaining("error:"),
      });
    }
    expect(await listTree(root)).toEqual(before);
    await rm(root, { recursive: true, force: true });
  });
});
