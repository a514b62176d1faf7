import { X509Certificate } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  calls,
  installer,
  listTree,
  makeRoot,
  run,
  type StubControlPlane,
  startStubControlPlane,
} from "./testing.ts";

const TOKENS = [
  "pye_from_file",
  "pye_from_stdin",
  "pye_pve82",
  "pye_pve_url",
  "pye_piped",
  "pye_cert",
  "pye_name",
];
let cp: StubControlPlane;

beforeAll(async () => {
  cp = await startStubControlPlane(TOKENS);
}, 60_000);
afterAll(() => cp.stop());

/** Runs the installer and returns its failure (or throws if it succeeded). */
async function refused(root: string, args: string[], env: Record<string, string> = {}) {
  const r = await installer(root, args, env).then(
    () => undefined,
    (e: { stderr: string; code: number }) => e,
  );
  if (!r) throw new Error("the installer succeeded");
  return r;
}

describe("install/agent.sh refuses what it cannot do safely, before it changes anything", () => {
  it("refuses an http:// control plane unless --insecure is given", async () => {
    const root = await makeRoot();
    const before = await listTree(root);
    const r = await refused(root, ["--url", cp.url, "--token", "t"]);
    expect(r.stderr).toContain(
      `error: --url ${cp.url} is not https: the enrollment token and the agent's credential would cross the network in clear text`,
    );
    expect(await listTree(root)).toEqual(before);
    await rm(root, { recursive: true, force: true });
  });

  it("refuses a bundle whose SHA-256 is not the announced one: no agent, no enrollment, no unit", async () => {
    const root = await makeRoot();
    cp.announce.sha256 = "0".repeat(64);
    try {
      const enrolled = cp.enrollBodies.length;
      const r = await refused(root, ["--url", cp.url, "--insecure", "--token", TOKENS[0] ?? ""]);
      expect(r.stderr).toMatch(
        /error: the downloaded agent's SHA-256 is [0-9a-f]{64}, not the 0{64} the control plane announced; nothing was installed/,
      );
      expect(cp.enrollBodies.length).toBe(enrolled);
      const tree = await listTree(root);
      expect(tree.filter((p) => p.includes("agent.mjs") || p.includes("pylon-agent.service"))).toEqual([]);
      expect((await calls(root)).filter((c) => c.startsWith("systemctl"))).toEqual([]);
    } finally {
      cp.announce.sha256 = undefined;
      await rm(root, { recursive: true, force: true });
    }
  });

  it("refuses PVE 8.0 and 8.1 with what to do; takes 8.2", async () => {
    const root = await makeRoot();
    const before = await listTree(root);
    const r = await refused(root, ["--url", cp.url, "--insecure", "--token", "t"], {
      STUB_PVE_VERSION: "8.1.4",
    });
    expect(r.stderr).toContain(
      "error: Proxmox VE 8.2 or later is required (pveversion says: pve-manager/8.1.4/c5ee6d2a6d2bd9c3 (running kernel: 6.8.12-4-pve)): the agent runs 'pct exec --keep-env' (8.2) and reads CT addresses from the API (8.1); upgrade the host (apt update && apt full-upgrade) and run this again",
    );
    expect(await calls(root)).toEqual(["pveversion"]);
    await rm(join(root, "calls.log"));
    expect(await listTree(root)).toEqual(before);
    await installer(root, ["--url", cp.url, "--insecure", "--token", TOKENS[2] ?? ""], {
      STUB_PVE_VERSION: "8.2.2",
    });
    expect(cp.enrollBodies.at(-1)?.token).toBe(TOKENS[2]);
    await rm(root, { recursive: true, force: true });
  });
});

describe("install/agent.sh takes the enrollment token without putting it on a command line", () => {
  it("reads it from --token-file FILE", async () => {
    const root = await makeRoot();
    const file = join(root, "token");
    await writeFile(file, `${TOKENS[0]}\n`, { mode: 0o600 });
    await installer(root, ["--url", cp.url, "--insecure", "--token-file", file]);
    expect(cp.enrollBodies.at(-1)?.token).toBe(TOKENS[0]);
    expect((await calls(root)).join("\n")).not.toContain(TOKENS[0]);
    await rm(root, { recursive: true, force: true });
  });

  it("reads it from stdin with --token-file -", async () => {
    const root = await makeRoot();
    await installer(root, ["--url", cp.url, "--insecure", "--token-file", "-"], {}, `${TOKENS[1]}\n`);
    expect(cp.enrollBodies.at(-1)?.token).toBe(TOKENS[1]);
    await rm(root, { recursive: true, force: true });
  });

  it("refuses an unreadable --token-file", async () => {
    const root = await makeRoot();
    const r = await refused(root, ["--url", cp.url, "--insecure", "--token-file", join(root, "missing")]);
    expect(r.stderr).toContain(
      `error: cannot read the enrollment token from --token-file ${join(root, "missing")}`,
    );
    await rm(root, { recursive: true, force: true });
  });
});

it("--pve-url points the agent at another PVE API address", async () => {
  const root = await makeRoot();
  await installer(root, [
    "--url",
    cp.url,
    "--insecure",
    "--token",
    TOKENS[3] ?? "",
    "--pve-url",
    "https://10.0.0.2:8006",
  ]);
  expect(JSON.parse(await readFile(join(root, "etc/pylon/agent.json"), "utf8")).pve).toMatchObject({
    url: "https://10.0.0.2:8006",
  });
  await rm(root, { recursive: true, force: true });
});

it("piped into sh (curl … | sh), runs to its end even when a command it runs reads stdin", async () => {
  const root = await makeRoot();
  const r = await installer(
    root,
    ["--url", cp.url, "--insecure", "--token", TOKENS[4] ?? ""],
    { STUB_READ_STDIN: "1" },
    undefined,
    true,
  );
  expect(r.stderr).toContain("installed; follow it with");
  expect(await calls(root)).toContain("systemctl enable --now pylon-agent.service");
  await rm(root, { recursive: true, force: true });
});

describe("install/agent.sh on a host with its own PVE API certificate", () => {
  it("pins the fingerprint of a pveproxy-ssl.pem that no public CA issued", async () => {
    const root = await makeRoot();
    await mkdir(join(root, "etc/pve/local"), { recursive: true });
    const pem = join(root, "etc/pve/local/pveproxy-ssl.pem");
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      join(root, "key.pem"),
      "-out",
      pem,
      "-days",
      "30",
      "-subj",
      "/CN=pve.internal",
      "-addext",
      "subjectAltName=DNS:pve.internal",
    ]);
    const { stderr } = await installer(root, ["--url", cp.url, "--insecure", "--token", TOKENS[5] ?? ""]);
    const fingerprint = new X509Certificate(await readFile(pem)).fingerprint256;
    expect(stderr).toContain(`pinning its SHA-256 fingerprint ${fingerprint}`);
    expect(JSON.parse(await readFile(join(root, "etc/pylon/agent.json"), "utf8")).pve).toMatchObject({
      fingerprint,
    });
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  it("--pve-server-name verifies by name against the public CAs (an ACME certificate)", async () => {
    const root = await makeRoot();
    await installer(root, [
      "--url",
      cp.url,
      "--insecure",
      "--token",
      TOKENS[6] ?? "",
      "--pve-server-name",
      "pve.example.com",
    ]);
    expect(JSON.parse(await readFile(join(root, "etc/pylon/agent.json"), "utf8")).pve).toMatchObject({
      caFile: "system",
      serverName: "pve.example.com",
    });
    await rm(root, { recursive: true, force: true });
  }, 60_000);
});
