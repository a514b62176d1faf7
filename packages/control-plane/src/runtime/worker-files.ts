// The installer and the agent bundle on Workers: static assets under /_pylon/ (assembled by
// scripts/worker-assets.mjs), read through the ASSETS binding and served by the same routes as on
// Node (/install/agent.sh, /install/agent.mjs, /install/agent.json).
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { AgentBundle } from "../deps.ts";

/** The static assets binding (`[assets] binding = "ASSETS"`). */
export interface AssetsBinding {
  fetch(request: Request | string): Promise<Response>;
}

async function asset(assets: AssetsBinding, name: string): Promise<Response | null> {
  const res = await assets.fetch(new Request(`https://assets.internal/_pylon/${name}`));
  if (res.ok) return res;
  await res.body?.cancel();
  return null;
}

/** Reads `agent.sh`; null when the assets do not have it. */
export function workerInstallFile(assets: AssetsBinding): (name: "agent.sh") => Promise<string | null> {
  return async (name) => (await asset(assets, name))?.text() ?? null;
}

/** Reads the agent bundle and its version once per isolate (assets change only with a deploy). */
export function workerAgentBundle(assets: AssetsBinding): () => Promise<AgentBundle | null> {
  let cached: Promise<AgentBundle | null> | undefined;
  return () => {
    cached ??= (async () => {
      const res = await asset(assets, "agent.mjs");
      if (!res) return null;
      const bytes = new Uint8Array(await res.arrayBuffer());
      const manifest = (await (await asset(assets, "agent.json"))?.json().catch(() => null)) as {
        version?: unknown;
      } | null;
      return {
        bytes,
        sha256: bytesToHex(sha256(bytes)),
        version: typeof manifest?.version === "string" ? manifest.version : "0.0.0",
      };
    })().catch((err) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}
