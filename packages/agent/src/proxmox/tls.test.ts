import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSim } from "../testing/sim.ts";
import { PveClient } from "./client.ts";
import { normalizeFingerprint, type PveTls } from "./tls.ts";

// A host whose pveproxy serves a custom or ACME certificate (pveproxy-ssl.pem) that does not
// chain to the cluster CA: verified by a pinned fingerprint or by name, never unverified.
let sim: Sim;
let other: Sim;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pylon-tls-"));
  [sim, other] = await Promise.all([startTestSim({ callLogFile: join(dir, "calls.jsonl") }), startTestSim()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([sim?.stop(), other?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const client = (tls: PveTls) =>
  new PveClient({
    url: new URL(sim.apiUrl).origin,
    tokenId: sim.token.tokenId,
    tokenSecret: sim.token.secret,
    tls,
  });
const apiCalls = () =>
  readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n").filter(Boolean).length;

describe("verifying the Proxmox API's certificate", () => {
  it("accepts the certificate whose SHA-256 fingerprint is pinned, whatever signed it", async () => {
    const pinned = client({ fingerprint256: sim.certFingerprint256 });
    expect((await pinned.version()).version).toMatch(/^8\./);
    // The same pin given as plain hex (as `openssl x509 -fingerprint -sha256` or the GUI show it).
    const hex = sim.certFingerprint256.replace(/:/g, "").toLowerCase();
    expect(normalizeFingerprint(hex)).toBe(sim.certFingerprint256);
  });

  it("refuses another certificate before sending anything (the token never reaches it)", async () => {
    const before = apiCalls();
    const wrong = client({ fingerprint256: other.certFingerprint256 });
    await expect(wrong.version()).rejects.toThrow(
      `the certificate's SHA-256 fingerprint is ${sim.certFingerprint256}, not the pinned ${other.certFingerprint256}`,
    );
    expect(apiCalls()).toBe(before);
  });

  it("verifies by the certificate's name when the API is reached by address", async () => {
    // The simulator's certificate is issued for 127.0.0.1 and localhost.
    expect((await client({ ca: sim.caCertPem, servername: "localhost" }).version()).version).toMatch(/^8\./);
    await expect(client({ ca: sim.caCertPem, servername: "pve.example.com" }).version()).rejects.toThrow(
      /pve\.example\.com/,
    );
  });
});
