import { type RouteHandler, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { deliver, notificationView, setWebhook } from "../../services/notifications.ts";
import { defineRoute, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";

const viewSchema = z
  .object({
    webhook: z
      .object({ origin: z.string().meta({ description: "Where notices go; the full URL is never shown" }) })
      .nullable(),
  })
  .meta({ id: "NotificationSettings" });

const bodySchema = z
  .object({
    webhookUrl: z.string().max(2000).nullable().meta({
      description:
        "A URL that takes a JSON POST: ntfy (https://ntfy.sh/<topic>), a Discord or Slack incoming webhook, or your own. null removes it",
    }),
  })
  .strict();

export const getRoute = defineRoute(requires("admin", "read"), null, {
  method: "get",
  path: "/settings/notifications",
  tags: ["system"],
  summary: "Where failure notifications go (failed backups, drills, deploys; nodes offline)",
  responses: { 200: json(viewSchema, "The notification webhook (its origin only)") },
});

export const getHandler: RouteHandler<typeof getRoute, AppEnv> = async (c) =>
  c.json(await notificationView(c.get("deps")), 200);

export const putRoute = defineRoute(requires("admin", "write"), "settings.notifications", {
  method: "put",
  path: "/settings/notifications",
  tags: ["system"],
  summary: "Set the notification webhook (stored sealed; never shown again in full)",
  request: { body: jsonBody(bodySchema) },
  responses: { 200: json(viewSchema, "Saved") },
});

export const putHandler: RouteHandler<typeof putRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  await setWebhook(deps, c.req.valid("json").webhookUrl);
  c.set("audit", { action: "settings.notifications", target: null });
  return c.json(await notificationView(deps), 200);
};

export const testRoute = defineRoute(requires("admin", "write"), "settings.notifications.test", {
  method: "post",
  path: "/settings/notifications/test",
  tags: ["system"],
  summary: "Send a test notification now and say how the receiver answered",
  responses: {
    200: json(
      z.object({ delivered: z.boolean(), detail: z.string() }).meta({ id: "NotificationTest" }),
      "Tried",
    ),
  },
});

export const testHandler: RouteHandler<typeof testRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const result = await deliver(deps, {
    event: "test",
    title: "Pylon test notification",
    text: "Failure notifications from this Pylon reach you here",
  });
  c.set("audit", { action: "settings.notifications.test", target: null });
  return c.json(result, 200);
};
