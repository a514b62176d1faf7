import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { AgentBundle } from "../deps.ts";

/**
 * Reads the built agent bundle (dist/agent.mjs) with its version (dist/agent.json, written by
 * the agent's build) and the SHA-256 of the bytes actually served, computed here and cached
 * until the file changes: a rebuilt bundle is served with its own checksum.
 */
export function agentBundleReader(distDir: string): () => Promise<AgentBundle | null> {
  const file = resolve(distDir, "agent.mjs");
  let cached: { key: string; bundle: AgentBundle } | undefined;
  return async () => {
    const st = await stat(file).catch(() => null);
    if (!st) return null;
    const key = `${st.mtimeMs}:${st.size}`;
    if (cached?.key === key) return cached.bundle;
    const bytes = await readFile(file);
    const manifest = await readFile(resolve(distDir, "agent.json"), "utf8")
      .then((t) => JSON.parse(t) as { version?: unknown })
      .catch(() => ({ version: undefined }));
    const bundle: AgentBundle = {
      bytes,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      version: typeof manifest.version === "string" ? manifest.version : "0.0.0",
    };
    cached = { key, bundle };
    return bundle;
  };
}
