import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
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

let server: Server;
let url: string;
let bundle: Buffer;
let buildDir: string;
const enrollBodies: unknown[] = [];

/** Records argv of every call, one line each; pveum answers like PVE 8 does. */
const STUB = (name: string) => `#!/bin/sh
{ printf '%s' "${name}"; for a in "$@"; do printf ' %s' "$a"; done; printf '\\n'; } >>"$STUB_LOG"
if [ "${name}" = pveum ]; then
  case "$1 $2 $3" in
    "user list "*) echo '[{"userid":"root@pam"}]' ;;
    "user token add") echo '{"full-tokenid":"pylon@pve!agent","info":{"privsep":"0"},"value":"${PVE_SECRET}"}' ;;
    "user token remove") [ -n "$STUB_TOKEN_EXISTS" ] || exit 2 ;;
  esac
fi
exit 0
`;

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "pylon-agent-build-"));
  await run(process.execPath, [join(pkg, "scripts/build.mjs"), "--outfile", join(buildDir, "agent.mjs")]);
  bundle = await readFile(join(buildDir, "agent.mjs"));
  const unused = new Set([ENROLL_TOKEN, ENROLL_TOKEN_2]);
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
  for (const name of ["systemctl", "pveum", "apt-get"]) {
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
      "pveum user list --output-format json",
      "pveum user add pylon@pve --comment Pylon agent",
      "pveum role add PylonAgent --privs Sys.Audit,VM.Audit,VM.PowerMgmt,Datastore.Audit",
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
