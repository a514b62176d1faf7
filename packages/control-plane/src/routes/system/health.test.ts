import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let node: Harness;
let workers: Harness;
beforeAll(async () => {
  node = await makeHarness();
  workers = await makeHarness({ runtime: "workers" });
});
afterAll(() => {
  node?.close();
  workers?.close();
});

describe("GET /healthz", () => {
  it("says which runtime answers", async () => {
    expect(await (await node.call("GET", "/healthz")).json()).toEqual({
      status: "ok",
      version: "test",
      runtime: "node",
    });
    expect((await (await workers.call("GET", "/healthz")).json()).runtime).toBe("workers");
  });
});
