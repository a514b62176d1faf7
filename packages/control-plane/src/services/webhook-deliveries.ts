// Push-to-deploy deliveries are accepted once. GitHub signs only the body (X-Hub-Signature-256),
// not its delivery id, so a captured delivery could be sent again with any headers: the body's
// signature is what is remembered, with the delivery id as well when the Git host sends one
// (GitHub's redelivery of the same event keeps its id). Remembered for the replay window; a
// GitHub push older than the window (its signed `repository.pushed_at`) is refused outright,
// so forgetting after the window lets no replay through.
import { and, eq, lt, sql } from "drizzle-orm";
import { webhookDeliveries } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";

type Deps = Pick<AppDeps, "db" | "now">;

/** How long a delivery is remembered, and the oldest push accepted. */
export const REPLAY_WINDOW_MS = 7 * 24 * 3600_000;

/**
 * Headers that carry a delivery's id: GitHub (also sent by Gitea), Gitea, Gogs, GitLab (its
 * `Idempotency-Key` is kept across retries of one event, since 17.4; `X-Gitlab-Event-UUID` before).
 */
export const DELIVERY_HEADERS = [
  "x-github-delivery",
  "x-gitea-delivery",
  "x-gogs-delivery",
  "idempotency-key",
  "x-gitlab-event-uuid",
] as const;

/** The push time a GitHub push payload signs (`repository.pushed_at`, Unix seconds), if present. */
export function pushedAt(payload: unknown): number | null {
  const repo =
    typeof payload === "object" && payload !== null ? Reflect.get(payload, "repository") : undefined;
  const at = typeof repo === "object" && repo !== null ? Reflect.get(repo, "pushed_at") : undefined;
  return typeof at === "number" && Number.isFinite(at) ? at * 1000 : null;
}

/**
 * Records a signed delivery for an app, refusing one already received (409) or a push older
 * than the replay window (400). Expired deliveries of every app are deleted on the way.
 */
export async function acceptDelivery(
  deps: Deps,
  d: { appId: string; signature: string; deliveryId: string | null; pushedAt: number | null },
): Promise<void> {
  const now = deps.now();
  if (d.pushedAt !== null && d.pushedAt < now - REPLAY_WINDOW_MS)
    throw new ApiError(
      "bad_request",
      `This push is from ${new Date(d.pushedAt).toISOString()}, older than the 7-day replay window; nothing was queued (push again to deploy)`,
    );
  const [, inserted] = await deps.db.batch([
    deps.db.delete(webhookDeliveries).where(lt(webhookDeliveries.receivedAt, now - REPLAY_WINDOW_MS)),
    deps.db
      .insert(webhookDeliveries)
      .values({ appId: d.appId, signature: d.signature, deliveryId: d.deliveryId, receivedAt: now })
      .onConflictDoNothing()
      .returning({ at: webhookDeliveries.receivedAt }),
  ]);
  if (inserted.length === 0)
    throw new ApiError(
      "conflict",
      `This delivery was already received${d.deliveryId ? ` (delivery ${d.deliveryId.slice(0, 100)})` : ""}; a replay queues nothing`,
    );
}

/** Forgets a delivery whose redeploy could not be queued, so the Git host's redelivery is taken. */
export async function forgetDelivery(deps: Deps, appId: string, signature: string): Promise<void> {
  await deps.db
    .delete(webhookDeliveries)
    .where(and(eq(webhookDeliveries.appId, appId), eq(webhookDeliveries.signature, signature)));
}

/** Deliveries remembered (all apps), for tests and diagnostics. */
export async function countDeliveries(deps: Pick<AppDeps, "db">): Promise<number> {
  const [row] = await deps.db.select({ n: sql<number>`count(*)` }).from(webhookDeliveries);
  return row?.n ?? 0;
}
