// The install command an admin copies: built from PYLON_PUBLIC_URL, or, without it, from the
// address the request came to, with a warning saying exactly what to set.
import { afterEach, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness | undefined;
afterEach(() => h?.close());

async function adminToken(harness: Harness) {
  return harness.token(await harness.user("admin"), ["admin"]);
}

it("without PYLON_PUBLIC_URL, warns that a loopback address cannot be reached and says what to set", async () => {
  h = await makeHarness();
  const as = await adminToken(h);
  const res = await h.call("POST", "http://127.0.0.1:8787/api/v1/nodes", { as, body: { name: "pve1" } });
  expect(res.status).toBe(201);
  const { enrollment } = await res.json();
  expect(enrollment.installCommand).toContain("--url 'http://127.0.0.1:8787'");
  expect(enrollment.warning).toMatch(/PYLON_PUBLIC_URL is not set/);
  expect(enrollment.warning).toMatch(/http:\/\/127\.0\.0\.1:8787.*cannot reach/);
  expect(enrollment.warning).toMatch(/Set PYLON_PUBLIC_URL to the address the Proxmox host reaches Pylon at/);
});

it("without PYLON_PUBLIC_URL, a routable address works but the warning says how to change it", async () => {
  h = await makeHarness();
  const as = await adminToken(h);
  const res = await h.call("POST", "http://10.0.0.5:8787/api/v1/nodes", { as, body: { name: "pve2" } });
  const { node, enrollment } = await res.json();
  expect(enrollment.installCommand).toContain("--url 'http://10.0.0.5:8787'");
  expect(enrollment.warning).toMatch(/If the Proxmox host reaches Pylon at another address/);
  expect(enrollment.warning).not.toMatch(/cannot reach/);
  const reissued = await h.call("POST", `http://127.0.0.1:8787/api/v1/nodes/${node.id}/enrollment`, { as });
  expect(reissued.status).toBe(201);
  expect((await reissued.json()).warning).toMatch(/cannot reach/);
});

it("with PYLON_PUBLIC_URL, uses it and warns of nothing", async () => {
  h = await makeHarness({ publicUrl: "https://pylon.example.com" });
  const as = await adminToken(h);
  const res = await h.call("POST", "http://127.0.0.1:8787/api/v1/nodes", { as, body: { name: "pve3" } });
  const { enrollment } = await res.json();
  expect(enrollment.installCommand).toContain("--url 'https://pylon.example.com'");
  expect(enrollment.warning).toBeNull();
});
