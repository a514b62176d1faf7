// Failure notifications (issue 12): one generic JSON webhook per installation. The body carries
// `text` (Slack incoming webhooks), `content` (Discord) and plain fields for anything else; ntfy
// takes a plain POST and shows the body. Sent from the control plane in the background, with a
// timeout and a few retries, never on a request's path. The URL (often holding a token) is
// stored sealed and never echoed back or logged: only its origin is.
import { eq } from "drizzle-orm";
import { notificationSettings } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { open, seal } from "../lib/secret-box.ts";

type Deps = Pick<AppDeps, "db" | "now" | "secretKey" | "logger">;

export const NOTIFY_EVENTS = [
  "backup.failed",
  "drill.failed",
  "deploy.failed",
  "node.offline",
  "schedule.missed",
  "test",
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** What a notification says. */
export interface Notice {
  event: NotifyEvent;
  title: string;
  text: string;
  app?: string | null;
  node?: string | null;
}

/** How deliveries are tried: per attempt timeout, attempts, first pause (doubling). */
export const DELIVERY = { timeoutMs: 5000, attempts: 3, pauseMs: 500 };

const ROW = "default";

/** The webhook as the API shows it: its origin only. */
export async function notificationView(
  deps: Pick<AppDeps, "db">,
): Promise<{ webhook: { origin: string } | null }> {
  const [row] = await deps.db.select().from(notificationSettings).where(eq(notificationSettings.id, ROW));
  return { webhook: row?.webhookUrlBox && row.webhookOrigin ? { origin: row.webhookOrigin } : null };
}

/** Sets (or, with null, removes) the installation's webhook URL. */
export async function setWebhook(deps: Deps, url: string | null): Promise<void> {
  let box: string | null = null;
  let origin: string | null = null;
  if (url !== null) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalid("is not a URL");
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
      throw invalid("must be an http or https URL");
    if (parsed.username || parsed.password) throw invalid("must not carry a user name or password");
    box = await seal(deps.secretKey, url);
    origin = parsed.origin;
  }
  const now = deps.now();
  await deps.db
    .insert(notificationSettings)
    .values({ id: ROW, webhookUrlBox: box, webhookOrigin: origin, updatedAt: now })
    .onConflictDoUpdate({
      target: notificationSettings.id,
      set: { webhookUrlBox: box, webhookOrigin: origin, updatedAt: now },
    });
}

function invalid(message: string): ApiError {
  return new ApiError("validation_failed", `Invalid request body: webhookUrl ${message}`, {
    fields: [{ path: "webhookUrl", message }],
  });
}

async function webhookUrl(deps: Deps): Promise<{ url: string; origin: string } | null> {
  const [row] = await deps.db.select().from(notificationSettings).where(eq(notificationSettings.id, ROW));
  if (!row?.webhookUrlBox || !row.webhookOrigin) return null;
  return { url: await open<string>(deps.secretKey, row.webhookUrlBox), origin: row.webhookOrigin };
}

/** The JSON body sent for a notice. */
export function noticeBody(n: Notice, at: number) {
  const line = `${n.title}: ${n.text}`;
  return {
    text: line,
    content: line.slice(0, 2000),
    title: n.title,
    event: n.event,
    app: n.app ?? null,
    node: n.node ?? null,
    at: new Date(at).toISOString(),
  };
}

/**
 * Delivers a notice now (awaited: the settings test button); the result says how it went. A
 * failure names the receiver's origin and status, never the URL.
 */
export async function deliver(deps: Deps, n: Notice): Promise<{ delivered: boolean; detail: string }> {
  const hook = await webhookUrl(deps);
  if (!hook) return { delivered: false, detail: "No notification webhook is set" };
  const body = JSON.stringify(noticeBody(n, deps.now()));
  let detail = "";
  for (let attempt = 1; attempt <= DELIVERY.attempts; attempt++) {
    try {
      const res = await fetch(hook.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(DELIVERY.timeoutMs),
        redirect: "manual",
      });
      await res.body?.cancel().catch(() => {});
      if (res.ok) return { delivered: true, detail: `${hook.origin} answered ${res.status}` };
      detail = `${hook.origin} answered ${res.status}`;
      // A 4xx other than 429 will not change on a retry.
      if (res.status < 500 && res.status !== 429) break;
    } catch (err) {
      const timeout = err instanceof Error && err.name === "TimeoutError";
      detail = timeout
        ? `${hook.origin} did not answer within ${DELIVERY.timeoutMs} ms`
        : `${hook.origin} could not be reached`;
    }
    if (attempt < DELIVERY.attempts)
      await new Promise((r) => setTimeout(r, DELIVERY.pauseMs * 2 ** (attempt - 1)));
  }
  deps.logger.warn("a failure notification could not be delivered", { event: n.event, problem: detail });
  return { delivered: false, detail };
}

/** Sends a notice in the background: never throws, never delays the caller. */
export function notify(deps: Deps, n: Notice): void {
  void deliver(deps, n).catch((err) =>
    deps.logger.warn("a failure notification could not be sent", { event: n.event, error: String(err) }),
  );
}
