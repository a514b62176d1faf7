// Support for the installer's tests: a stub control plane serving the built bundle, its
// manifest and enrollment, throwaway roots with stubbed host tools, and a runner for agent.sh.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const run = promisify(execFile);
export const here = fileURLToPath(new URL(".", import.meta.url));
const pkg = join(here, "../..");
export const SCRIPT = join(here, "agent.sh");
/** PYLON_AGENT_TEST_NODE puts another node first on the installer's PATH (e.g. Debian's nodejs 18). */
export const NODE = process.env.PYLON_AGENT_TEST_NODE;
export const PVE_SECRET = "8a5cc7f5-3b3e-4c4e-9f6d-2a3f1c5e9b10";

/**
 * Records argv of every call, one line each. pveversion prints $STUB_PVE_VERSION (8.4.5 unless
 * set); pveum answers like that version does, refusing the other major's privileges as the real
 * one refuses unknown ones, and `role add` of an existing role when $STUB_ROLE_EXISTS is set.
 */
export const STUB = (name: string) => `#!/bin/sh
{ printf '%s' "${name}"; for a in "$@"; do printf ' %s' "$a"; done; printf '\\n'; } >>"$STUB_LOG"
# Like a tool that reads its stdin (apt-get, a prompt): under curl | sh that is the script itself.
if [ -n "$STUB_READ_STDIN" ]; then cat >/dev/null; fi
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
  "VM.Config.Network,VM.Config.Options,VM.Config.HWType,VM.PowerMgmt,VM.Snapshot,VM.Backup," +
  "Datastore.AllocateSpace,Datastore.AllocateTemplate,SDN.Use,Sys.AccessNetwork";
export const PRIVS_8 = `${PRIVS_COMMON},VM.Monitor`;
export const PRIVS_9 = `${PRIVS_COMMON},VM.GuestAgent.Audit`;

/** A stub control plane: the bundle, its manifest (whose SHA-256 a test may spoil) and enrollment. */
export interface StubControlPlane {
  url: string;
  bundle: Buffer;
  enrollBodies: { token?: string; nodeName?: string }[];
  /** Announce this SHA-256 instead of the bundle's (a tampered or corrupted download). */
  announce: { sha256?: string };
  stop(): Promise<void>;
}

/** Builds the agent bundle and serves it; `tokens` are the enrollment tokens accepted once each. */
export async function startStubControlPlane(tokens: string[]): Promise<StubControlPlane> {
  const buildDir = await mkdtemp(join(tmpdir(), "pylon-agent-build-"));
  await run(process.execPath, [join(pkg, "scripts/build.mjs"), "--outfile", join(buildDir, "agent.mjs")]);
  const bundle = await readFile(join(buildDir, "agent.mjs"));
  const sha256 = createHash("sha256").update(bundle).digest("hex");
  const unused = new Set(tokens);
  const enrollBodies: StubControlPlane["enrollBodies"] = [];
  const announce: StubControlPlane["announce"] = {};
  const server: Server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/install/agent.mjs") return void res.end(bundle);
    if (req.method === "GET" && req.url === "/install/agent.json")
      return void res.end(
        JSON.stringify({ version: "0.1.0", sha256: announce.sha256 ?? sha256, size: bundle.length }),
      );
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
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bundle,
    enrollBodies,
    announce,
    stop: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await rm(buildDir, { recursive: true, force: true });
    },
  };
}

/** A throwaway root with what a Debian host already has and stubs for its PVE and system tools. */
export async function makeRoot() {
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

/** Every path under root, directories with a trailing slash. */
export async function listTree(root: string): Promise<string[]> {
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

/**
 * Runs agent.sh under PYLON_ROOT=root with the stubs first on PATH (stdin: `input`), or, with
 * `piped`, as `cat agent.sh | sh -s -- args` (how `curl … | sh` runs it).
 */
export function installer(
  root: string,
  args: string[],
  env: Record<string, string> = {},
  input?: string,
  piped = false,
) {
  const argv = piped ? ["-c", 'cat "$0" | sh -s -- "$@"', SCRIPT, ...args] : [SCRIPT, ...args];
  const child = run("sh", argv, {
    env: {
      PATH: [join(root, "stub-bin"), ...(NODE ? [dirname(NODE)] : []), process.env.PATH].join(":"),
      PYLON_ROOT: root,
      STUB_LOG: join(root, "calls.log"),
      HOME: root,
      ...env,
    },
  });
  child.child.stdin?.end(input);
  return child;
}

/**
 * A PATH of the stubs plus only the host tools the installer uses, so a `caddy` installed on
 * the test machine does not count as the host's.
 */
export async function hostPathWithout(root: string): Promise<string> {
  const bin = join(root, "host-bin");
  await mkdir(bin);
  const { stdout } = await run("sh", [
    "-c",
    'for t in sh curl wget mkdir rmdir chmod touch mv cp sed grep head rm cat cut sha256sum; do command -v "$t" || true; done',
  ]);
  for (const tool of stdout.trim().split("\n")) await symlink(tool, join(bin, tool.split("/").at(-1) ?? ""));
  await symlink(NODE ?? process.execPath, join(bin, "node"));
  return [join(root, "stub-bin"), bin].join(":");
}

/** The stubs' call log, one command line per entry. */
export const calls = async (root: string) =>
  (await readFile(join(root, "calls.log"), "utf8").catch(() => "")).trim().split("\n");

/** PVE_PRIVS_8 / PVE_PRIVS_9 of agent.sh, with $PVE_PRIVS_COMMON expanded. */
export function scriptPrivileges(): Record<"8" | "9", string[]> {
  const script = readFileSync(SCRIPT, "utf8");
  const assigned = (name: string) => {
    const m = new RegExp(`^${name}="([^"]*)"$`, "m").exec(script);
    if (!m?.[1]) throw new Error(`agent.sh has no ${name}="…"`);
    return m[1];
  };
  const common = assigned("PVE_PRIVS_COMMON");
  const list = (name: string) => assigned(name).replace("$PVE_PRIVS_COMMON", common).split(",");
  return { "8": list("PVE_PRIVS_8"), "9": list("PVE_PRIVS_9") };
}
