import { chmod, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  calls,
  here,
  hostPathWithout,
  installer,
  listTree,
  makeRoot,
  NODE,
  PRIVS_8,
  PRIVS_9,
  PVE_SECRET,
  STUB,
  type StubControlPlane,
  startStubControlPlane,
} from "./testing.ts";

const ENROLL_TOKEN = "pyl_enroll_0123456789";
const ENROLL_TOKEN_2 = "pyl_enroll_second";
const MORE_TOKENS = ["pyl_enroll_pve9", "pyl_enroll_pve9_again", "pyl_enroll_caddy", "pyl_enroll_caddy_2"];

let cp: StubControlPlane;
let url: string;
let bundle: Buffer;
const enrollBodies = () => cp.enrollBodies;

beforeAll(async () => {
  cp = await startStubControlPlane([ENROLL_TOKEN, ENROLL_TOKEN_2, ...MORE_TOKENS]);
  url = cp.url;
  bundle = cp.bundle;
}, 60_000);
afterAll(() => cp.stop());

describe("install/agent.sh in a throwaway root", () => {
  it("installs, enrolls, creates the PVE token and starts the unit; --uninstall leaves nothing behind", async () => {
    const root = await makeRoot();
    const before = await listTree(root);
    const { stderr } = await installer(root, [
      "--url",
      `${url}/`,
      "--insecure",
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
    expect(enrollBodies().at(-1)).toMatchObject({
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
    expect(unit).toMatch(
      /^ReadWritePaths=\/var\/lib\/pylon-agent \/etc\/pylon \/usr\/local\/lib\/pylon-agent$/m,
    );
    // The unit's ExecStartPre, which undoes a self-update that did not come back.
    expect(await readFile(join(root, "usr/local/lib/pylon-agent/rollback.sh"), "utf8")).toBe(
      await readFile(join(here, "rollback.sh"), "utf8"),
    );

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
      "--insecure",
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
      [
        "--url",
        url,
        "--insecure",
        "--token",
        ENROLL_TOKEN_2,
        "--ca-file",
        ca,
        "--pve-token-id",
        "ops@pve!pylon",
      ],
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
    const failed = await installer(root, ["--url", url, "--insecure", "--token", "t"]).catch(
      (e: { stderr: string }) => e,
    );
    expect(failed.stderr).toContain("Node.js >= 18 is required; found");
    const log = await calls(root);
    expect(log).toContain("apt-get update -qq");
    expect(log).toContain("apt-get install -y -qq nodejs");
    await rm(root, { recursive: true, force: true });
  });

  it("gives a PVE 9 host PVE 9's privileges; a re-run updates the existing role in place", async () => {
    const root = await makeRoot();
    const env = { STUB_PVE_VERSION: "9.0.10" };
    await installer(root, ["--url", url, "--insecure", "--token", MORE_TOKENS[0] ?? ""], env);
    expect((await calls(root)).filter((c) => c.includes("role"))).toEqual([
      `pveum role add PylonAgent --privs ${PRIVS_9}`,
      "pveum acl modify / --users pylon@pve --roles PylonAgent",
    ]);
    await rm(join(root, "calls.log"));
    await installer(root, ["--url", url, "--insecure", "--token", MORE_TOKENS[1] ?? ""], {
      ...env,
      STUB_ROLE_EXISTS: "1",
    });
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

  it("refuses a host that is not PVE 8.2+ or 9 before writing anything", async () => {
    const root = await makeRoot();
    const before = await listTree(root);
    const failed = await installer(root, ["--url", url, "--insecure", "--token", "t"], {
      STUB_PVE_VERSION: "7.4.3",
    }).catch((e: { stderr: string }) => e);
    expect(failed.stderr).toContain(
      "Proxmox VE 8.2 or later (8.x or 9.x) is required (pveversion says: pve-manager/7.4.3/",
    );
    expect(await calls(root)).toEqual(["pveversion"]);
    await rm(join(root, "calls.log"));
    expect(await listTree(root)).toEqual(before);
    await rm(root, { recursive: true, force: true });
  });

  it("--caddy installs Debian's caddy when missing and runs caddy-api.service; --uninstall purges it", async () => {
    const root = await makeRoot();
    const PATH = await hostPathWithout(root);
    const before = await listTree(root);
    await installer(root, ["--url", url, "--insecure", "--token", MORE_TOKENS[2] ?? "", "--caddy"], { PATH });
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
    await installer(root, ["--url", url, "--insecure", "--token", MORE_TOKENS[3] ?? "", "--caddy"]);
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
