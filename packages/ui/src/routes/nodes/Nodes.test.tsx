import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { signedIn, signedOut } from "../../context/session.ts";
import { apiError, mockApi, node, user } from "../../testing/mock-api.ts";
import { Nodes } from "./Nodes.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  signedOut();
});

const ENROLLMENT = {
  token: "pye_secret",
  expiresAt: new Date(Date.now() + 3600_000).toISOString(),
  installCommand:
    "curl -fsSL 'http://pylon/install/agent.sh' | sh -s -- --url 'http://pylon' --token 'pye_secret'",
};

it("adds a node, shows the install command once, and watches it come online", async () => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  signedIn({ user: user(), via: "session" });
  const pending = node({
    id: "node_new",
    name: "pve2",
    status: "pending",
    metrics: null,
    agentVersion: null,
    pveVersion: null,
    lastSeenAt: null,
  });
  let listed = [node()];
  const calls = mockApi({
    "GET /api/v1/nodes": () => ({ body: { items: listed } }),
    "POST /api/v1/nodes": (c) =>
      (c.body as { name: string }).name === "Bad Name"
        ? apiError(400, "validation_failed", "Invalid request body", [
            { path: "name", message: "must be lower-case letters" },
          ])
        : { status: 201, body: { node: pending, enrollment: ENROLLMENT } },
  });
  render(() => <Nodes />);
  await screen.findByText("pve1");
  fireEvent.click(screen.getByRole("button", { name: "Add node" }));
  fireEvent.input(screen.getByLabelText("Node name"), { target: { value: "Bad Name" } });
  fireEvent.click(screen.getByRole("button", { name: "Add node" }));
  await screen.findByText("must be lower-case letters");
  listed = [node(), pending];
  fireEvent.input(screen.getByLabelText("Node name"), { target: { value: "pve2" } });
  fireEvent.click(screen.getByRole("button", { name: "Add node" }));
  const cmd = (await screen.findByLabelText("Install command")) as HTMLTextAreaElement;
  expect(cmd.value).toBe(ENROLLMENT.installCommand);
  expect(screen.getByRole("button", { name: "Copy command" })).toBeTruthy();
  await screen.findByText("Waiting for the agent…");

  // The agent enrolls and connects: the next poll (every 2 s while waiting) shows it online.
  listed = [node(), { ...pending, status: "online", pveVersion: "8.4.5" }];
  const before = calls.filter((c) => c.url.pathname === "/api/v1/nodes" && c.method === "GET").length;
  await vi.advanceTimersByTimeAsync(2100);
  await screen.findByText("pve2 is online.");
  expect(
    calls.filter((c) => c.url.pathname === "/api/v1/nodes" && c.method === "GET").length,
  ).toBeGreaterThan(before);
  fireEvent.click(screen.getByRole("button", { name: "Done" }));
  expect(screen.queryByLabelText("Install command")).toBeNull();
});

it("shows state, the simulated badge and usage; a viewer cannot add nodes", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  mockApi({
    "GET /api/v1/nodes": {
      body: { items: [node(), node({ id: "n2", name: "demo", simulated: true, status: "offline" })] },
    },
  });
  render(() => <Nodes />);
  const demo = (await screen.findByText("demo")).closest("tr") as HTMLElement;
  expect(within(demo).getByText("Simulated")).toBeTruthy();
  expect(within(demo).getByText("offline")).toBeTruthy();
  const pve1 = screen.getByRole("link", { name: "pve1" }).closest("tr") as HTMLElement;
  // 490 of 500 GiB: the storage bar says so in words too.
  expect(within(pve1).getByText("98 %")).toBeTruthy();
  expect(within(pve1).getByText(/490 GiB of 500 GiB/)).toBeTruthy();
  expect(screen.queryByRole("button", { name: "Add node" })).toBeNull();
});

it("shows the API's warning beside an install command that a Proxmox host may not reach", async () => {
  signedIn({ user: user(), via: "session" });
  const warning =
    "PYLON_PUBLIC_URL is not set, so this command uses http://127.0.0.1:8787, the address you opened Pylon at: a Proxmox host cannot reach that.";
  mockApi({
    "GET /api/v1/nodes": { body: { items: [] } },
    "POST /api/v1/nodes": {
      status: 201,
      body: {
        node: node({ id: "node_new", name: "pve2", status: "pending" }),
        enrollment: { ...ENROLLMENT, warning },
      },
    },
  });
  render(() => <Nodes />);
  fireEvent.click(await screen.findByRole("button", { name: "Add node" }));
  fireEvent.input(screen.getByLabelText("Node name"), { target: { value: "pve2" } });
  fireEvent.click(screen.getByRole("button", { name: "Add node" }));
  await screen.findByLabelText("Install command");
  expect(screen.getByRole("note").textContent).toBe(warning);
});
