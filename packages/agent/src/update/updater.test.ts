import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../log.ts";
import { AgentUpdater, type UpdateReport } from "./updater.ts";

const ROLLBACK = fileURLToPath(new URL("../install/rollback.sh", import.meta.url));
/** A stand-in bundle: answers `version` like the agent does. */
const bundle = (version: string) =>
  `if (process.argv[2] === "version") console.log(${JSON.stringify(version)});\n`;
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

let server: Server;
let base: string;
const served = new Map<string, string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = served.get(req.url ?? "");
    if (body === undefined) return void res.writeHead(404).end();
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function setup(version = "0.1.0", confirmMs = 60_000) {
  const dir = mkdtempSync(join(tmpdir(), "pylon-update-"));
  const bundlePath = join(dir, "agent.mjs");
  writeFileSync(bundlePath, bundle(version));
  const reports: UpdateReport[] = [];
  const restarts: number[] = [];
  const updater = (v = version) =>
    new AgentUpdater({
      bundlePath,
      stateDir: dir,
      controlPlaneUrl: base,
      version: v,
      confirmMs,
      log: createLogger("error", () => {}),
      report: (r) => reports.push(r),
      restart: (code) => restarts.push(code),
    });
  return {
    dir,
    bundlePath,
    reports,
    restarts,
    updater,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe("the agent's self-update", () => {
  it("verifies, swaps atomically keeping the previous bundle, records a deadline and restarts", async () => {
    const t = setup();
    served.set("/install/agent.mjs", bundle("0.2.0"));
    await t.updater().update({ version: "0.2.0", sha256: sha(bundle("0.2.0")), url: "/install/agent.mjs" });
    expect(t.reports.map((r) => r.state)).toEqual(["downloading", "restarting"]);
    expect(readFileSync(t.bundlePath, "utf8")).toBe(bundle("0.2.0"));
    expect(readFileSync(`${t.bundlePath}.previous`, "utf8")).toBe(bundle("0.1.0"));
    const marker = JSON.parse(readFileSync(join(t.dir, "update.json"), "utf8"));
    expect(marker).toMatchObject({ from: "0.1.0", to: "0.2.0", rolledBack: false });
    expect(marker.deadline).toBeGreaterThan(Date.now() / 1000);
    expect(t.restarts).toEqual([0]);
    // The new agent, connected again, confirms: the marker goes, nothing to report.
    const fresh = t.updater("0.2.0");
    await fresh.start();
    await fresh.connected();
    expect(existsSync(join(t.dir, "update.json"))).toBe(false);
    expect(t.reports).toHaveLength(2);
    t.cleanup();
  });

  it("changes nothing when the checksum or the version is not the announced one", async () => {
    const t = setup();
    served.set("/install/agent.mjs", bundle("0.2.0"));
    await t.updater().update({ version: "0.2.0", sha256: sha("something else"), url: "/install/agent.mjs" });
    expect(t.reports.at(-1)).toMatchObject({
      state: "failed",
      message: expect.stringMatching(/SHA-256 is [0-9a-f]{64}, not the announced/),
    });
    await t.updater().update({ version: "0.3.0", sha256: sha(bundle("0.2.0")), url: "/install/agent.mjs" });
    expect(t.reports.at(-1)).toMatchObject({
      state: "failed",
      message: expect.stringContaining("reports version 0.2.0, not 0.3.0"),
    });
    expect(readFileSync(t.bundlePath, "utf8")).toBe(bundle("0.1.0"));
    expect(existsSync(`${t.bundlePath}.previous`) || existsSync(join(t.dir, "update.json"))).toBe(false);
    expect(t.restarts).toEqual([]);
    t.cleanup();
  });

  it("an updated agent that is not back by the deadline exits; rollback.sh restores the previous one, which says so", async () => {
    const t = setup("0.1.0", 1000);
    served.set("/install/agent.mjs", bundle("0.2.0"));
    await t.updater().update({ version: "0.2.0", sha256: sha(bundle("0.2.0")), url: "/install/agent.mjs" });
    const stuck = t.updater("0.2.0");
    await stuck.start();
    await new Promise((r) => setTimeout(r, 2200));
    expect(t.restarts).toEqual([0, 1]);
    // systemd starts the unit again: ExecStartPre puts the previous bundle back.
    await promisify(execFile)("sh", [ROLLBACK, join(t.dir, "update.json"), t.dir]);
    expect(readFileSync(t.bundlePath, "utf8")).toBe(bundle("0.1.0"));
    const previous = t.updater("0.1.0");
    await previous.start();
    await previous.connected();
    expect(t.reports.at(-1)).toEqual({
      state: "rolled_back",
      from: "0.1.0",
      to: "0.2.0",
      message: "agent 0.2.0 did not reconnect within 1 s",
    });
    expect(existsSync(join(t.dir, "update.json"))).toBe(false);
    t.cleanup();
  }, 15_000);

  it("rollback.sh leaves an update alone before its deadline", async () => {
    const t = setup();
    writeFileSync(`${t.bundlePath}.previous`, bundle("0.0.9"));
    writeFileSync(
      join(t.dir, "update.json"),
      JSON.stringify({
        from: "0.0.9",
        to: "0.1.0",
        deadline: Math.ceil(Date.now() / 1000) + 60,
        rolledBack: false,
      }),
    );
    await promisify(execFile)("sh", [ROLLBACK, join(t.dir, "update.json"), t.dir]);
    expect(readFileSync(t.bundlePath, "utf8")).toBe(bundle("0.1.0"));
    t.cleanup();
  });
});
