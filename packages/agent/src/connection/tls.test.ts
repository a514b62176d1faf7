import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAgent } from "../testing/agent.ts";
import { FakeControlPlane } from "../testing/control-plane.ts";
import { startTestSim } from "../testing/sim.ts";

const run = promisify(execFile);
let sim: Sim;
let dir: string;
let tls: { key: string; cert: string };
let caFile: string;

/** A private CA and a certificate for 127.0.0.1 signed by it (Debian's openssl, argv only). */
async function makePki(d: string) {
  const o = (...args: string[]) => run("openssl", args, { cwd: d });
  await o(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=Pylon test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  );
  await o(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "cp.key",
    "-out",
    "cp.csr",
  );
  await writeFile(join(d, "ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
  await o(
    "x509",
    "-req",
    "-in",
    "cp.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
    "-out",
    "cp.pem",
  );
  return { key: await readFile(join(d, "cp.key"), "utf8"), cert: await readFile(join(d, "cp.pem"), "utf8") };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pylon-tls-"));
  [sim, tls] = await Promise.all([startTestSim(), makePki(dir)]);
  caFile = join(dir, "ca.pem");
}, 60_000);
afterAll(async () => {
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("wss to the control plane", () => {
  it("connects when the certificate chains to the configured CA", async () => {
    const cp = await new FakeControlPlane({ tls }).start();
    const t = await startTestAgent(sim, cp.url, { extra: { caFile } });
    try {
      const conn = await cp.connected();
      expect(conn.frames[0]?.type).toBe("hello");
    } finally {
      await t.cleanup();
      await cp.stop();
    }
  });

  it("refuses a certificate it cannot verify (system roots only) and keeps retrying", async () => {
    const cp = await new FakeControlPlane({ tls }).start();
    const t = await startTestAgent(sim, cp.url);
    try {
      await cp.waitFor(
        () => t.logs.filter((l) => l.includes("control plane connection error")).length >= 2 || undefined,
      );
      expect(cp.conns).toHaveLength(0);
      expect(t.logs.find((l) => l.includes("control plane connection error"))).toMatch(/certificate/i);
    } finally {
      await t.cleanup();
      await cp.stop();
    }
  });
});
