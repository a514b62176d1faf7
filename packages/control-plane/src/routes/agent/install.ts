import type { Handler } from "hono";
import type { AgentBundle } from "../../deps.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";

const NOT_BUILT = "the agent bundle is not available on this server (build the agent first)";

async function bundleOf(c: Parameters<Handler<AppEnv>>[0]): Promise<AgentBundle> {
  const bundle = await c.get("deps").agentBundle?.();
  if (!bundle) throw new ApiError("not_found", NOT_BUILT);
  return bundle;
}

/** GET /install/agent.sh: the installer script. */
export const installScript: Handler<AppEnv> = async (c) => {
  const text = await c.get("deps").installFile?.("agent.sh");
  if (text == null) throw new ApiError("not_found", "agent.sh is not available on this server");
  return c.body(text, 200, {
    "content-type": "text/x-shellscript; charset=utf-8",
    "cache-control": "no-store",
  });
};

/** GET /install/agent.mjs: the agent bundle, with its SHA-256 and version in headers too. */
export const agentBundleFile: Handler<AppEnv> = async (c) => {
  const bundle = await bundleOf(c);
  return c.body(bundle.bytes as Uint8Array<ArrayBuffer>, 200, {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "no-store",
    "x-pylon-agent-sha256": bundle.sha256,
    "x-pylon-agent-version": bundle.version,
  });
};

/**
 * GET /install/agent.json: what the installer and self-updating agents check the bundle
 * against: `{version, sha256, size, url}` (the SHA-256 of the bytes /install/agent.mjs serves).
 */
export const agentManifest: Handler<AppEnv> = async (c) => {
  const bundle = await bundleOf(c);
  return c.json(
    { version: bundle.version, sha256: bundle.sha256, size: bundle.bytes.length, url: "/install/agent.mjs" },
    200,
    { "cache-control": "no-store" },
  );
};
