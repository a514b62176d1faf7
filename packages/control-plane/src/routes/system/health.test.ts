import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness | undefined;
afterEach(() => h?.close());

describe("/healthz and /readyz", () => {
  it("/readyz is 503 naming what start-up still does, while /healthz says the process is up", async () => {
    let pending: string | null = "creating the admin account from PYLON_ADMIN_EMAIL";
    h = await makeHarness({ pending: () => pending });
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
    h = await makeHarness();
    h.deps.db.$client.close();
    const res = await h.call("GET", "/readyz");
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe("unavailable");
  });
});
