import { type RouteHandler, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { constantTimeEqual, hmacHex } from "../../lib/crypto.ts";
import { open } from "../../lib/secret-box.ts";
import { appAction } from "../../services/app-ops.ts";
import { getApp } from "../../services/apps.ts";
import { serverOrigin } from "../../services/jobs.ts";
import {
  acceptDelivery,
  DELIVERY_HEADERS,
  forgetDelivery,
  pushedAt,
} from "../../services/webhook-deliveries.ts";
import { defineRoute, err, PUBLIC, requires } from "../define.ts";
import { json } from "../json.ts";
import { baseUrl } from "../nodes/schema.ts";
import { appIdParams } from "./schema.ts";

export const infoRoute = defineRoute(requires("operator", "write"), null, {
  method: "get",
  path: "/apps/{id}/webhook",
  tags: ["apps"],
  summary: "The app's push-to-deploy webhook URL and secret (GitHub-compatible)",
  request: { params: appIdParams },
  responses: {
    200: json(
      z
        .object({ url: z.string(), secret: z.string(), branch: z.string().nullable() })
        .meta({ id: "AppWebhook" }),
      "Webhook",
    ),
    404: err("No such app"),
  },
});

export const infoHandler: RouteHandler<typeof infoRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const row = await getApp(deps, c.req.valid("param").id);
  return c.json(
    {
      url: `${baseUrl(c)}/api/v1/apps/${row.id}/webhook`,
      secret: await open<string>(deps.secretKey, row.webhookSecretBox),
      branch: row.source.type === "git" ? row.source.ref : null,
    },
    200,
  );
};

export const route = defineRoute(PUBLIC, "apps.webhook", {
  method: "post",
  path: "/apps/{id}/webhook",
  tags: ["apps"],
  summary: "Push-to-deploy: a GitHub-style push to the tracked branch redeploys the app",
  description:
    "The body must be signed: `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the app's webhook secret>` (GitHub, Gitea, Forgejo, Gogs), or carry the secret as `X-Gitlab-Token` (GitLab's Secret token). A `push` (GitLab: `Push Hook`) to the tracked branch queues a redeploy; `ping` and anything else are answered and ignored. Each delivery is accepted once: the same signed body, or the same `X-GitHub-Delivery` (`X-Gitea-Delivery`, `X-Gogs-Delivery`, GitLab's `Idempotency-Key` or `X-Gitlab-Event-UUID`) id, within 7 days is refused with 409, and a push whose `repository.pushed_at` is older than that with 400.",
  request: { params: appIdParams },
  responses: {
    200: json(z.object({ ignored: z.string() }), "Not a push to the tracked branch; nothing done"),
    202: json(z.object({ redeploy: z.literal(true), jobId: z.string().nullable() }), "Redeploy queued"),
    400: err("A push older than the replay window, or a body that is not JSON"),
    401: err("Missing or wrong signature or token"),
    404: err("No such app"),
    409: err("This delivery was already received"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const row = await getApp(deps, c.req.valid("param").id);
  const raw = await c.req.text();
  const secret = await open<string>(deps.secretKey, row.webhookSecretBox);
  // What is remembered against replays: the body's HMAC, whichever way the sender proved itself.
  const signature = hmacHex(secret, raw);
  const gitlabToken = c.req.header("x-gitlab-token");
  if (gitlabToken !== undefined) {
    // GitLab sends the secret itself (over TLS), not a signature.
    if (!constantTimeEqual(gitlabToken, secret))
      throw new ApiError("unauthenticated", "Wrong X-Gitlab-Token");
  } else if (!constantTimeEqual(c.req.header("x-hub-signature-256") ?? "", `sha256=${signature}`)) {
    throw new ApiError("unauthenticated", "Missing or wrong X-Hub-Signature-256 (or X-Gitlab-Token)");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    throw new ApiError("malformed_json", "Malformed JSON in request body");
  }
  const deliveryId =
    DELIVERY_HEADERS.map((h) => c.req.header(h))
      .find(Boolean)
      ?.slice(0, 200) ?? null;
  // Signed, so genuine: accepted once (a replay is refused before anything is looked at).
  await acceptDelivery(deps, { appId: row.id, signature, deliveryId, pushedAt: pushedAt(payload) });
  const event =
    gitlabToken !== undefined
      ? gitlabEvent(c.req.header("x-gitlab-event"))
      : (c.req.header("x-github-event") ?? "push");
  if (event !== "push") return c.json({ ignored: `event '${event.slice(0, 50)}'` }, 200);
  if (row.source.type !== "git") return c.json({ ignored: "this app is not deployed from Git" }, 200);
  const ref = typeof payload === "object" && payload !== null ? Reflect.get(payload, "ref") : undefined;
  if (ref !== `refs/heads/${row.source.ref}`)
    return c.json({ ignored: `push to ${String(ref).slice(0, 200)}, tracking ${row.source.ref}` }, 200);
  try {
    const updated = await appAction(deps, row, "redeploy", serverOrigin("webhook"));
    return c.json({ redeploy: true as const, jobId: updated.lastJobId }, 202);
  } catch (e) {
    // Nothing was queued (the app is busy, say): the Git host's redelivery should be taken.
    await forgetDelivery(deps, row.id, signature);
    throw e;
  }
};

/** GitLab names its events `Push Hook`, `Tag Push Hook`, …; only a branch push redeploys. */
function gitlabEvent(header: string | undefined): string {
  return header === "Push Hook" ? "push" : (header ?? "unknown");
}
