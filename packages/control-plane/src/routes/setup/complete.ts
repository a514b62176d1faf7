import type { RouteHandler } from "@hono/zod-openapi";
import { meSchema, setupBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { setSessionCookies } from "../../middleware/cookies.ts";
import { createSession } from "../../services/sessions.ts";
import { completeSetup } from "../../services/setup.ts";
import { toUser } from "../../services/users.ts";
import { defineRoute, err, PUBLIC } from "../define.ts";
import { json, jsonBody } from "../json.ts";

export const route = defineRoute(PUBLIC, "setup.complete", {
  method: "post",
  path: "/setup",
  tags: ["setup"],
  summary: "Create the first admin with the one-time setup secret printed on the console",
  request: { body: jsonBody(setupBodySchema) },
  responses: {
    201: json(meSchema, "Admin created and signed in"),
    403: err("Setup secret invalid or expired"),
    409: err("Setup already complete"),
    429: err("Too many wrong setup links from this address, or too many password checks at once"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const user = await completeSetup(deps, c.req.valid("json"), deps.clientIp(c));
  c.set("audit", { action: "setup.complete", target: user.id });
  const session = await createSession(deps, user.id, {
    ip: deps.clientIp(c),
    userAgent: c.req.header("user-agent") ?? null,
  });
  c.set("principal", { kind: "session", user, sessionHash: "", csrfToken: session.csrfToken });
  setSessionCookies(c, session);
  return c.json({ user: toUser(user), via: "session" as const, csrfToken: session.csrfToken }, 201);
};
