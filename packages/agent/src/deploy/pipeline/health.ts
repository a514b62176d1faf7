import http from "node:http";
import { hostPort } from "./address.ts";
import { appPort, type DeployRun } from "./context.ts";
import { StepFailure } from "./steps.ts";

/** What one GET answered: the status and the first bytes of the body. */
export interface Answer {
  status: number;
  head: string;
}

const HEAD_BYTES = 300;

/** One GET with a Host header; resolves with the status and the body's first bytes, rejects with the network error. */
export function httpAnswer(url: string, host: string | undefined, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: "GET", headers: host ? { host } : {}, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < HEAD_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            head: Buffer.concat(chunks).subarray(0, HEAD_BYTES).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** One GET; resolves with the status code (kept for callers that only need it). */
export async function httpStatus(url: string, host: string | undefined, timeoutMs: number): Promise<number> {
  return (await httpAnswer(url, host, timeoutMs)).status;
}

/** A hint for a failed health check, where the cause is known. */
export function healthHint(run: Pick<DeployRun, "state" | "params">, last: Answer | Error): string | null {
  const plan = run.state.plan;
  const port = run.state.containerPort ?? plan?.port;
  if (last instanceof Error) {
    if (/ECONNREFUSED/.test(last.message))
      return `nothing accepts connections on that port: the app may listen on localhost (127.0.0.1) only or on another port${port ? ` than ${port}` : ""}; Pylon sets PORT${port ? `=${port}` : ""} and HOST=0.0.0.0, so make the app use them (or set the port)`;
    if (/no answer within|ECONNRESET|socket hang up/.test(last.message))
      return "the app accepted the connection but did not answer: it may still be starting, or be stuck; see its logs";
    return null;
  }
  const { status, head } = last;
  if (status === 400 && (plan?.framework === "django" || /DisallowedHost|Bad Request \(400\)/i.test(head)))
    return `Django refuses the host name: add ${run.params.route?.host ?? "the app's host"} to ALLOWED_HOSTS (Pylon sets PYLON_ALLOWED_HOSTS; read DJANGO_ALLOWED_HOSTS or it in settings.py)`;
  if (status === 404) return "the app has no page at the checked path";
  if (status >= 500) return "the app fails while answering; see its logs";
  if (status === 401 || status === 403) return "the app asks for authentication at the checked path";
  return null;
}

const describeAnswer = (a: Answer | Error) =>
  a instanceof Error
    ? a.message
    : `answered ${a.status}${a.head.trim() ? `: ${JSON.stringify(a.head.trim().slice(0, 200))}` : ""}`;

/** What an HTTP health check asks: a port, a path, accepted statuses and a time limit. */
export interface HttpCheck {
  port: number;
  path: string;
  expectStatus?: number[] | undefined;
  timeoutSeconds: number;
}

/**
 * Polls `http://<address>:<port><path>` (with `Host: <host>` when given) until it answers one of
 * expectStatus (default 200–399) or the timeout passes. The failure names the last status and the
 * first bytes of the answer, with a hint (from `hintFor`) where the cause is known.
 */
export async function waitHealthy(
  address: string,
  check: HttpCheck,
  host: string | undefined,
  signal: AbortSignal,
  hintFor: (last: Answer | Error) => string | null = () => null,
): Promise<string> {
  const path = check.path.startsWith("/") ? check.path : `/${check.path}`;
  const url = `http://${hostPort(address, check.port)}${path}`;
  const ok = (s: number) =>
    check.expectStatus?.length ? check.expectStatus.includes(s) : s >= 200 && s < 400;
  const deadline = Date.now() + check.timeoutSeconds * 1000;
  let last: Answer | Error = new Error("no attempt");
  for (let delay = 100; ; delay = Math.min(2000, Math.round(delay * 1.5))) {
    if (signal.aborted) throw signal.reason;
    try {
      last = await httpAnswer(url, host, Math.max(1000, Math.min(10_000, deadline - Date.now())));
      if (ok(last.status)) return `${url} answered ${last.status}`;
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
    }
    if (Date.now() + delay > deadline) {
      const hint = hintFor(last);
      throw new StepFailure(
        `${url}${host ? ` (Host: ${host})` : ""} did not answer ${check.expectStatus?.join("/") ?? "2xx/3xx"} within ${check.timeoutSeconds} s; last: ${describeAnswer(last)}${hint ? `; hint: ${hint}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * The deploy's health step: the app answers on the guest's address with its route's Host header,
 * on the port it answers on (a compose file's own published port, else the allocated one).
 */
export async function healthCheck(run: DeployRun): Promise<string> {
  if (!run.state.address) throw new StepFailure("no guest address recorded");
  return waitHealthy(
    run.state.address,
    { ...run.params.http, port: appPort(run) },
    run.params.route?.host,
    run.ctx.signal,
    (last) => healthHint(run, last),
  );
}
