import http from "node:http";
import { hostPort } from "./address.ts";
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

/**
 * Polls `http://<address>:<port><path>` from the host with the route's Host header until it
 * answers one of expectStatus (default 200–399) or the timeout passes; the failure names the
 * last status or network error.
 */
export async function healthCheck(run: DeployRun): Promise<string> {
  const { http: check, route } = run.params;
  if (!run.state.address) throw new StepFailure("no guest address recorded");
  const path = check.path.startsWith("/") ? check.path : `/${check.path}`;
  const url = `http://${hostPort(run.state.address, check.port)}${path}`;
  const ok = (s: number) =>
    check.expectStatus?.length ? check.expectStatus.includes(s) : s >= 200 && s < 400;
  const deadline = Date.now() + check.timeoutSeconds * 1000;
  let last = "no attempt";
  for (let delay = 100; ; delay = Math.min(2000, Math.round(delay * 1.5))) {
    if (run.ctx.signal.aborted) throw run.ctx.signal.reason;
    try {
      const status = await httpStatus(
        url,
        route?.host,
        Math.max(1000, Math.min(10_000, deadline - Date.now())),
      );
      if (ok(status)) return `${url} answered ${status}`;
      last = `answered ${status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() + delay > deadline)
      throw new StepFailure(
        `${url}${route ? ` (Host: ${route.host})` : ""} did not answer ${check.expectStatus?.join("/") ?? "2xx/3xx"} within ${check.timeoutSeconds} s; last: ${last}`,
      );
    await new Promise((r) => setTimeout(r, delay));
  }
}
