import http from "node:http";
import type { DeployRun } from "./context.ts";
import { StepFailure } from "./steps.ts";

/** One GET with a Host header; resolves with the status code or rejects with the network error. */
export function httpStatus(url: string, host: string | undefined, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: "GET", headers: host ? { host } : {}, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** What an HTTP health check asks: a port, a path, accepted statuses and a time limit. */
export interface HttpCheck {
  port: number;
  path: string;
  expectStatus?: number[] | undefined;
  timeoutSeconds: number;
}

/**
 * Polls `http://<address>:<port><path>` (with `Host: <host>` when given) until it answers one of
 * expectStatus (default 200–399) or the timeout passes; the failure names the last status or
 * network error.
 */
export async function waitHealthy(
  address: string,
  check: HttpCheck,
  host: string | undefined,
  signal: AbortSignal,
): Promise<string> {
  const path = check.path.startsWith("/") ? check.path : `/${check.path}`;
  const url = `http://${address}:${check.port}${path}`;
  const ok = (s: number) =>
    check.expectStatus?.length ? check.expectStatus.includes(s) : s >= 200 && s < 400;
  const deadline = Date.now() + check.timeoutSeconds * 1000;
  let last = "no attempt";
  for (let delay = 100; ; delay = Math.min(2000, Math.round(delay * 1.5))) {
    if (signal.aborted) throw signal.reason;
    try {
      const status = await httpStatus(url, host, Math.max(1000, Math.min(10_000, deadline - Date.now())));
      if (ok(status)) return `${url} answered ${status}`;
      last = `answered ${status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() + delay > deadline)
      throw new StepFailure(
        `${url}${host ? ` (Host: ${host})` : ""} did not answer ${check.expectStatus?.join("/") ?? "2xx/3xx"} within ${check.timeoutSeconds} s; last: ${last}`,
      );
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** The deploy's health step: the app answers on the guest's address with its route's Host header. */
export async function healthCheck(run: DeployRun): Promise<string> {
  if (!run.state.address) throw new StepFailure("no guest address recorded");
  return waitHealthy(run.state.address, run.params.http, run.params.route?.host, run.ctx.signal);
}
