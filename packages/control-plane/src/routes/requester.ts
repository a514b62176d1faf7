import type { Context } from "hono";
import type { AppEnv } from "../env.ts";

/** Who asked, as recorded on jobs: `user:<id>` or `token:<id>`. */
export function requester(c: Context<AppEnv>): string | null {
  const p = c.get("principal");
  return p ? (p.kind === "token" ? `token:${p.tokenId}` : `user:${p.user.id}`) : null;
}
