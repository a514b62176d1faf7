import type { RouteHandler } from "@hono/zod-openapi";
import { loginBodySchema, meSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { setSessionCookies } from "../../middleware/cookies.ts";
import { login } from "../../services/auth.ts";
import { toUser } from "../../services/users.ts";
import { defineRoute, err, PUBLIC } from "../define.ts";
import { json, jsonBody } from "../json.ts";

export const route = defineRoute(PUBLIC, "auth.login", {
  method: "post",
  path: "/auth/login",
  tags: ["auth"],
  summary: "Sign in with email and password; sets the session cookie",
  request: { body: jsonBody(loginBodySchema) },
  responses: {
    200: json(meSchema, "Signed in"),
    401: err("Wrong email or password (the same answer, in the same time, for unknown emails)"),
    429: err(
      "Too many failed attempts for this account or address, or too many password checks at once; see Retry-After",
    ),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const body = c.req.valid("json");
  c.set("audit", { action: "auth.login", target: body.email });
  const { user, session } = await login(deps, body, {
    ip: deps.clientIp(c),
    userAgent: c.req.header("user-agent") ?? null,
  });
  c.set("principal", { kind: "session", user, sessionHash: "", csrfToken: session.csrfToken });
  setSessionCookies(c, session);
  return c.json({ user: toUser(user), via: "session" as const, csrfToken: session.csrfToken }, 200);
};
