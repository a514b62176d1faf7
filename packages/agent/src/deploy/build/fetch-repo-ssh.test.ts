// A plan's fetch of an ssh repository checks the Git host's key strictly, as the guest's clone
// does: pinned, only that key; unpinned, the key seen is trusted and returned (issue 14 #21).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SshRepo, serveRepoOverSsh } from "../pipeline/git-ssh-fixture.ts";
import { FetchError, planRepository } from "./fetch-repo.ts";

let host: SshRepo;
const work = mkdtempSync(join(tmpdir(), "pylon-fetch-ssh-"));

beforeAll(async () => {
  host = await serveRepoOverSsh({ "index.html": "<h1>hello</h1>" });
});
afterAll(async () => {
  await host?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("planRepository over SSH", () => {
  it("trusts the Git host's key on first use and says which it was", async () => {
    const r = await planRepository(
      { url: host.url, ref: "main", overrides: {}, deployKey: host.deployKey },
      { workDir: work },
    );
    expect(r.commit).toBe(host.commit);
    expect(r.plan.refused).toBeNull();
    expect(r.hostKey).toEqual({ fingerprint: host.hostFingerprint, keyType: "ssh-ed25519", firstUse: true });
  }, 60_000);

  it("fetches with the pinned key, and refuses a host whose key is not the pinned one", async () => {
    const pinned = await planRepository(
      { url: host.url, ref: "main", overrides: {}, deployKey: host.deployKey, hostKey: host.hostFingerprint },
      { workDir: work },
    );
    expect(pinned.hostKey).toMatchObject({ fingerprint: host.hostFingerprint, firstUse: false });
    const other = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const refused = planRepository(
      { url: host.url, ref: "main", overrides: {}, deployKey: host.deployKey, hostKey: other },
      { workDir: work },
    );
    await expect(refused).rejects.toBeInstanceOf(FetchError);
    await expect(refused).rejects.toThrow(`is not the pinned ${other}: it offers ${host.hostFingerprint}`);
  }, 60_000);
});
