import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../testing/harness.ts";

const open: Harness[] = [];
async function harness(...args: Parameters<typeof makeHarness>) {
  const h = await makeHarness(...args);
  open.push(h);
  return h;
}
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});

describe("/healthz and /readyz", () => {
  it("/readyz is 503 naming what start-up still does, while /healthz says the process is up", async () => {
    let pending: string | null = "creating the admin account from PYLON_ADMIN_EMAIL";
    const h = await harness({ pending: () => pending });
    expect((await h.call("GET", "/healthz")).status).toBe(200);
    const starting = await h.call("GET", "/readyz");
    expect(starting.status).toBe(503);
    expect(starting.headers.get("retry-after")).toBe("1");
    expect((await starting.json()).error).toMatchObject({
      code: "unavailable",
      message: "Not ready yet: creating the admin account from PYLON_ADMIN_EMAIL",
    });
    pending = null;
    const ready = await h.call("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("/readyz is 503 when the database does not answer", async () => {
    const h = await harness();
    h.deps.db.$client.close();
    const res = await h.call("GET", "/readyz");
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe("unavailable");
  });

  it("/healthz says which runtime answers", async () => {
    const node = await harness();
    const workers = await harness({ runtime: "workers" });
    expect(await (await node.call("GET", "/healthz")).json()).toEqual({
      status: "ok",
      version: "test",
      runtime: "node",
    });
    expect((await (await workers.call("GET", "/healthz")).json()).runtime).toBe("workers");
  });
});
