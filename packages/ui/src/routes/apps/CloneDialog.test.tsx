import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { currentPath, navigate } from "../../router/router.tsx";
import { app } from "../../testing/app-fixtures.ts";
import { apiError, mockApi } from "../../testing/mock-api.ts";
import { CloneDialog } from "./CloneDialog.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it("clones under the typed name and opens the copy; a taken name is shown under the field", async () => {
  navigate("/apps/app_web", { replace: true });
  let attempt = 0;
  const calls = mockApi({
    "POST /api/v1/apps/app_web/clone": () =>
      ++attempt === 1
        ? apiError(400, "validation_failed", "Invalid request body: name must be a DNS label", [
            { path: "name", message: "must be lower-case letters, digits and inner hyphens (a DNS label)" },
          ])
        : { status: 202, body: app({ id: "app_copy", name: "web-staging", status: "deploying" }) },
  });
  render(() => <CloneDialog app={app()} onClose={() => {}} />);
  const name = screen.getByLabelText("Name of the copy") as HTMLInputElement;
  expect(name.value).toBe("web-copy");
  fireEvent.input(name, { target: { value: "Web Staging" } });
  fireEvent.click(screen.getByRole("button", { name: "Clone" }));
  await screen.findByText("must be lower-case letters, digits and inner hyphens (a DNS label)");
  expect(currentPath()).toBe("/apps/app_web");
  fireEvent.input(name, { target: { value: "web-staging" } });
  fireEvent.click(screen.getByRole("button", { name: "Clone" }));
  await waitFor(() => expect(currentPath()).toBe("/apps/app_copy"));
  expect(calls.map((c) => c.body)).toEqual([{ name: "Web Staging" }, { name: "web-staging" }]);
});
