import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { signedIn, signedOut } from "../../context/session.ts";
import { currentPath, navigate } from "../../router/router.tsx";
import { apiError, job, mockApi, node, user } from "../../testing/mock-api.ts";
import { NodePage } from "./NodePage.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedOut();
});

const INVENTORY = {
  pveVersion: "8.4.5",
  node: { cpu: 0.1, cpus: 8, memTotal: 1, memUsed: 1, uptime: 1 },
  guests: [
    {
      vmid: 101,
      type: "lxc",
      name: "web",
      status: "running",
      template: false,
      cpus: 1,
      maxmem: 1,
      maxdisk: 1,
      lock: null,
    },
    {
      vmid: 102,
      type: "qemu",
      name: "vm",
      status: "stopped",
      template: false,
      cpus: 1,
      maxmem: 1,
      maxdisk: 1,
      lock: null,
    },
    {
      vmid: 900,
      type: "qemu",
      name: "tpl",
      status: "stopped",
      template: true,
      cpus: 1,
      maxmem: 1,
      maxdisk: 1,
      lock: null,
    },
  ],
  storages: [
    { storage: "local", type: "dir", content: ["iso"], total: 100, used: 50, avail: 50, active: true },
  ],
  templates: [{ volid: "local:vztmpl/debian.tar.zst", size: 100 }],
};
const detail = (over = {}) => ({
  ...node(),
  inventory: INVENTORY,
  inventoryAt: "2026-11-21T10:00:00.000Z",
  ...over,
});

function api(extra: Parameters<typeof mockApi>[0] = {}) {
  return mockApi({
    "GET /api/v1/nodes/node_pve1": { body: detail() },
    "GET /api/v1/nodes/node_pve1/metrics": { body: { items: [] } },
    ...extra,
  });
}

it("powers a guest with the guest's type and opens the job; templates have no buttons", async () => {
  signedIn({ user: user({ role: "operator" }), via: "session" });
  navigate("/nodes/node_pve1", { replace: true });
  const calls = api({
    "POST /api/v1/nodes/node_pve1/guests/102/power": { status: 202, body: job({ id: "job_42" }) },
  });
  render(() => <NodePage params={{ id: "node_pve1" }} />);
  await screen.findByText("web");
  expect(screen.getByRole("button", { name: "Shut down web (101)" })).toBeTruthy();
  expect(screen.queryByRole("button", { name: /tpl/ })).toBeNull();
  // Operators run jobs but see no admin actions.
  expect(screen.queryByRole("button", { name: "Remove node" })).toBeNull();
  fireEvent.click(screen.getByRole("button", { name: "Start vm (102)" }));
  await waitFor(() => expect(currentPath()).toBe("/jobs/job_42"));
  expect(calls.find((c) => c.method === "POST")?.body).toEqual({ type: "qemu", action: "start" });
});

it("shows a refused power action next to the guest", async () => {
  signedIn({ user: user({ role: "operator" }), via: "session" });
  api({
    "POST /api/v1/nodes/node_pve1/guests/101/power": apiError(409, "conflict", "Node 'pve1' is offline"),
  });
  render(() => <NodePage params={{ id: "node_pve1" }} />);
  fireEvent.click(await screen.findByRole("button", { name: "Reboot web (101)" }));
  await screen.findByText("Node 'pve1' is offline");
});

it("a viewer sees the inventory but no buttons", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  api();
  render(() => <NodePage params={{ id: "node_pve1" }} />);
  await screen.findByText("web");
  expect(screen.queryAllByRole("button")).toHaveLength(0);
});

it("admin: rotate shows the error when the agent is offline; remove asks for the node's name", async () => {
  signedIn({ user: user(), via: "session" });
  const calls = api({
    "POST /api/v1/nodes/node_pve1/credential/rotate": apiError(
      409,
      "conflict",
      "Node 'pve1' is not connected",
    ),
    "DELETE /api/v1/nodes/node_pve1": { status: 204 },
  });
  render(() => <NodePage params={{ id: "node_pve1" }} />);
  fireEvent.click(await screen.findByRole("button", { name: "Rotate credential" }));
  await screen.findByText("Node 'pve1' is not connected");

  fireEvent.click(screen.getByRole("button", { name: "Remove node" }));
  const confirm = () => screen.getAllByRole("button", { name: "Remove node" }).at(-1) as HTMLButtonElement;
  expect(confirm().disabled).toBe(true);
  fireEvent.input(screen.getByLabelText("Type pve1 to confirm"), { target: { value: "pve1" } });
  expect(confirm().disabled).toBe(false);
  fireEvent.click(confirm());
  await waitFor(() => expect(currentPath()).toBe("/nodes"));
  expect(calls.some((c) => c.method === "DELETE")).toBe(true);
});

it("says so when the node does not exist", async () => {
  signedIn({ user: user(), via: "session" });
  mockApi({ "GET /api/v1/nodes/gone": apiError(404, "not_found", "No such node") });
  render(() => <NodePage params={{ id: "gone" }} />);
  await screen.findByRole("heading", { name: "Node not found" });
});

it("shows what the host check found missing with the command that fixes it; nothing when all is well", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  const fix = "pveum role modify PylonAgent --privs 'Sys.Audit,VM.Audit,VM.GuestAgent.Audit'";
  mockApi({
    "GET /api/v1/nodes/node_pve1": {
      body: detail({
        pveVersion: "9.0.10",
        hostCheck: {
          checkedAt: Date.now(),
          pveVersion: "9.0.10",
          missingPrivileges: ["VM.GuestAgent.Audit"],
          problems: [],
          fix,
        },
      }),
    },
    "GET /api/v1/nodes/node_pve1/metrics": { body: { items: [] } },
  });
  render(() => <NodePage params={{ id: "node_pve1" }} />);
  await screen.findByText("The host needs attention");
  expect(screen.getByRole("alert").textContent).toContain("lacks VM.GuestAgent.Audit on PVE 9.0.10");
  expect((screen.getByLabelText("Fix command") as HTMLTextAreaElement).value).toBe(fix);
  cleanup();
  api();
  render(() => <NodePage params={{ id: "node_pve1" }} />);
  await screen.findByText("web");
  expect(screen.queryByText("The host needs attention")).toBeNull();
});

it("shows the agent's version and last update; an admin orders an update", async () => {
  signedIn({ user: user({ role: "admin" }), via: "session" });
  const calls = mockApi({
    "GET /api/v1/nodes/node_pve1": {
      body: detail({
        agentVersion: "0.1.1",
        latestAgentVersion: "0.1.2",
        agentUpdate: {
          state: "failed",
          from: "0.1.1",
          to: "0.1.2",
          startedAt: "2026-11-21T10:00:00.000Z",
          finishedAt: "2026-11-21T10:01:00.000Z",
          message: "rolled back to 0.1.1: agent 0.1.2 did not reconnect within 60 s",
        },
      }),
    },
    "GET /api/v1/nodes/node_pve1/metrics": { body: { items: [] } },
    "POST /api/v1/nodes/node_pve1/agent/update": { status: 202, body: node() },
  });
  render(() => <NodePage params={{ id: "node_pve1" }} />);
  await screen.findByText("(this server has 0.1.2)");
  expect(screen.getByText(/update to 0\.1\.2 failed: rolled back to 0\.1\.1/)).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "Update agent" }));
  await waitFor(() =>
    expect(calls.some((c) => c.method === "POST" && c.url.pathname.endsWith("/agent/update"))).toBe(true),
  );
});

it("admin: prepares the VM template from a cloud image and follows the job", async () => {
  signedIn({ user: user({ role: "admin" }), via: "session" });
  navigate("/nodes/node_pve1", { replace: true });
  const calls = api({
    "POST /api/v1/nodes/node_pve1/vm-template": {
      status: 202,
      body: job({ id: "job_tpl", kind: "node.vmTemplate" }),
    },
  });
  render(() => <NodePage params={{ id: "node_pve1" }} />);
  fireEvent.change(await screen.findByLabelText("Cloud image"), { target: { value: "ubuntu-24.04" } });
  fireEvent.click(screen.getByRole("button", { name: "Prepare VM template" }));
  await waitFor(() => expect(currentPath()).toBe("/jobs/job_tpl"));
  expect(calls.find((c) => c.method === "POST")?.body).toEqual({
    image: "ubuntu-24.04",
    vmid: 9000,
    storage: "local-lvm",
    bridge: "vmbr0",
  });
});
