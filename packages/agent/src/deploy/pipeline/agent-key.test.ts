import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import { agentKeyPair } from "./connect.ts";

describe("the agent's SSH key for VMs", () => {
  it("is one whole key however many first deploys ask for it at once, and stays the same", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pylon-agent-key-"));
    try {
      const pairs = await Promise.all(Array.from({ length: 12 }, () => agentKeyPair(dir)));
      expect(new Set(pairs.map((p) => p.private)).size).toBe(1);
      expect(new Set(pairs.map((p) => p.public)).size).toBe(1);
      // Every answer's public half belongs to the one private key on disk.
      const onDisk = ssh2.utils.parseKey(await readFile(join(dir, "ssh", "id_ed25519"), "utf8"));
      if (onDisk instanceof Error || Array.isArray(onDisk)) throw new Error("unreadable key on disk");
      const wire = onDisk.getPublicSSH().toString("base64");
      for (const p of pairs) expect(p.public.split(" ")[1]).toBe(wire);
      expect(pairs[0]!.public).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+ pylon-agent\n$/);
      expect(await readFile(join(dir, "ssh", "id_ed25519.pub"), "utf8")).toBe(pairs[0]!.public);
      expect((await agentKeyPair(dir)).private).toBe(pairs[0]!.private);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
