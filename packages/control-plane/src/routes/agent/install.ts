import type { Handler } from "hono";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";

/** Serves the agent installer and the agent bundle it downloads. */
export function installFile(name: "agent.sh" | "agent.mjs"): Handler<AppEnv> {
  return async (c) => {
    const text = await c.get("deps").installFile?.(name);
    if (text == null)
      throw new ApiError("not_found", `${name} is not available on this server (build the agent first)`);
    const type = name.endsWith(".sh")
      ? "text/x-shellscript; charset=utf-8"
      : "text/javascript; charset=utf-8";
    return c.body(text, 200, { "content-type": type, "cache-control": "no-store" });
  };
}
