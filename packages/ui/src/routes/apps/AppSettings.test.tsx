import { cleanup, render, screen } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { app } from "../../testing/app-fixtures.ts";
import { mockApi } from "../../testing/mock-api.ts";
import { AppSettings } from "./AppSettings.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const hook = { url: "https://pylon.example.com/api/v1/hooks/app_web", secret: "s3cret", branch: "main" };

it("shows no webhook panel for a catalog app, which ignores pushes", async () => {
  const calls = mockApi({ "GET /api/v1/apps/app_web/webhook": { body: hook } });
  render(() => <AppSettings app={app()} onChanged={() => {}} />);
  await screen.findByRole("heading", { name: "Environment" });
  expect(screen.queryByRole("heading", { name: "Push-to-deploy webhook" })).toBeNull();
  expect(calls.some((c) => c.url.pathname.endsWith("/webhook"))).toBe(false);
});

it("shows a Git app its webhook URL", async () => {
  mockApi({ "GET /api/v1/apps/app_web/webhook": { body: hook } });
  const git = app({
    source: {
      type: "git",
      url: "https://git.example.com/acme/site.git",
      ref: "main",
      subdirectory: null,
      buildMode: "auto",
      hasDeployKey: false,
    },
  });
  render(() => <AppSettings app={git} onChanged={() => {}} />);
  await screen.findByRole("heading", { name: "Push-to-deploy webhook" });
  expect(((await screen.findByLabelText("Payload URL")) as HTMLInputElement).value).toBe(hook.url);
});
