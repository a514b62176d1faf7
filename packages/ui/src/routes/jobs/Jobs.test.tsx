import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { job, mockApi, node } from "../../testing/mock-api.ts";
import { Jobs } from "./Jobs.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it("lists jobs with their node, pages with the cursor and sends the filters", async () => {
  const calls = mockApi({
    "GET /api/v1/nodes": { body: { items: [node()] } },
    "GET /api/v1/jobs": (c) =>
      c.url.searchParams.get("cursor") === "c2"
        ? { body: { items: [job({ id: "job_3", kind: "node.inventory", params: {} })], nextCursor: null } }
        : c.url.searchParams.get("status") === "failed"
          ? {
              body: {
                items: [job({ id: "job_9", status: "failed", error: "start guest: locked" })],
                nextCursor: null,
              },
            }
          : {
              body: {
                items: [job({ id: "job_1" }), job({ id: "job_2", status: "succeeded" })],
                nextCursor: "c2",
              },
            },
  });
  render(() => <Jobs />);
  await waitFor(() => expect(document.querySelectorAll("table.jobs tbody tr")).toHaveLength(2));
  expect(screen.getAllByRole("link", { name: "pve1" }).length).toBe(2);
  fireEvent.click(screen.getByRole("button", { name: "Load more" }));
  await screen.findByRole("link", { name: "Inventory" });
  expect(document.querySelectorAll("table.jobs tbody tr")).toHaveLength(3);
  expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();

  fireEvent.change(screen.getByLabelText("Node"), { target: { value: "node_pve1" } });
  fireEvent.change(screen.getByLabelText("Status"), { target: { value: "failed" } });
  fireEvent.change(screen.getByLabelText("Kind"), { target: { value: "guest.power" } });
  fireEvent.click(screen.getByRole("button", { name: "Apply filters" }));
  await screen.findByText("start guest: locked");
  const q = calls.filter((c) => c.url.pathname === "/api/v1/jobs").at(-1)?.url.searchParams;
  expect(q?.get("node")).toBe("node_pve1");
  expect(q?.get("status")).toBe("failed");
  expect(q?.get("kind")).toBe("guest.power");
  expect(q?.get("cursor")).toBeNull();
});

it("tells a fresh install that no jobs exist yet, and a filtered view that none match", async () => {
  mockApi({
    "GET /api/v1/nodes": { body: { items: [node()] } },
    "GET /api/v1/jobs": { body: { items: [], nextCursor: null } },
  });
  render(() => <Jobs />);
  await screen.findByText(/^No jobs yet\./);
  fireEvent.change(screen.getByLabelText("Status"), { target: { value: "failed" } });
  fireEvent.click(screen.getByRole("button", { name: "Apply filters" }));
  await screen.findByText("No jobs match these filters.");
});

it("asks for log views and diagnostics only when the user wants them", async () => {
  const calls = mockApi({
    "GET /api/v1/nodes": { body: { items: [node()] } },
    "GET /api/v1/jobs": { body: { items: [], nextCursor: null } },
  });
  render(() => <Jobs />);
  await screen.findByText(/^No jobs yet\./);
  const asked = () => calls.filter((c) => c.url.pathname === "/api/v1/jobs").at(-1)?.url.searchParams;
  expect(asked()?.get("views")).toBeNull();
  fireEvent.click(screen.getByLabelText("Show log views and diagnostics"));
  fireEvent.click(screen.getByRole("button", { name: "Apply filters" }));
  await waitFor(() => expect(asked()?.get("views")).toBe("true"));
});
