import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { mockApi } from "../../testing/mock-api.ts";
import { AutomationCard } from "./AutomationCard.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it("switches the policy to AUTO and says how many apps got it", async () => {
  const calls = mockApi({
    "PUT /api/v1/settings/automation": {
      body: { automation: "auto", appsApplied: 3, schedulesApplied: true },
    },
  });
  const onSaved = vi.fn();
  render(() => <AutomationCard current="pro" onSaved={onSaved} />);
  const save = screen.getByRole("button", { name: "Save" }) as HTMLButtonElement;
  expect(save.disabled).toBe(true);
  fireEvent.click(screen.getByRole("radio", { name: /AUTO/ }));
  fireEvent.click(save);
  expect(await screen.findByText("AUTO is on for 3 apps.")).toBeTruthy();
  expect(calls[0]?.body).toEqual({ automation: "auto" });
  expect(onSaved).toHaveBeenCalledWith("auto");
});
