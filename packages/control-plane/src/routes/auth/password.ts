import type { RouteHandler } from "@hono/zod-openapi";
import { passwordChangeBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { setSessionCookies } from "../../middleware/cookies.ts";
import { changeOwnPassword } from "../../services/auth.ts";
import { defineRoute, err, sessionOnly } from "../define.ts";
import { jsonBody } from "../json.ts";

export const route = defineRoute(sessionOnly("viewer"), "auth.password", {
  method: "post",
  path: "/auth/password",
  tags: ["auth"],
  summary: "Change your password; ends all your sessions and starts a new one here",
  request: { body: jsonBody(passwordChangeBodySchema) },
  responses: {
    204: { description: "Changed" },
    429: err("Too many wrong current passwords, or too many password checks at once; see Retry-After"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const p = c.get("principal")!;
  const deps = c.get("deps");
  c.set("audit", { action: "auth.password", target: p.user.id });
  const session = await changeOwnPassword(deps, p.user, c.req.valid("json"), {
    ip: deps.clientIp(c),
    userAgent: c.req.header("user-agent") ?? null,
  });
  setSessionCookies(c, session);
  return c.body(null, 204);
};
