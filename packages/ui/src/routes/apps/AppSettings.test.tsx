import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
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
      hostKey: null,
    },
  });
  render(() => <AppSettings app={git} onChanged={() => {}} />);
  await screen.findByRole("heading", { name: "Push-to-deploy webhook" });
  expect(((await screen.findByLabelText("Payload URL")) as HTMLInputElement).value).toBe(hook.url);
});

const SEEN = "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU";
const sshApp = (hostKey: { fingerprint: string; keyType: string | null; pinned: boolean } | null) =>
  app({
    source: {
      type: "git",
      url: "git@github.com:acme/site.git",
      ref: "main",
      subdirectory: null,
      buildMode: "auto",
      hasDeployKey: true,
      hostKey,
    },
  });

it("shows the Git host key the first deploy trusted, and pins it with one click", async () => {
  const calls = mockApi({
    "GET /api/v1/apps/app_web/webhook": { body: hook },
    "PATCH /api/v1/apps/app_web": {
      status: 202,
      body: sshApp({ fingerprint: SEEN, keyType: "ssh-ed25519", pinned: true }),
    },
  });
  let changed: unknown = null;
  render(() => (
    <AppSettings
      app={sshApp({ fingerprint: SEEN, keyType: "ssh-ed25519", pinned: false })}
      onChanged={(a) => (changed = a)}
    />
  ));
  const card = await screen.findByRole("region", { name: "Git host key" });
  expect(screen.getByTestId("host-key").textContent).toBe(SEEN);
  expect(card.textContent).toContain("Trusted on first use");
  fireEvent.click(screen.getByRole("button", { name: "Pin this key" }));
  await waitFor(() => expect(changed).not.toBeNull());
  expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ hostKey: SEEN });
});

it("pins another fingerprint, checking its form first; https apps have no host key card", async () => {
  const calls = mockApi({
    "GET /api/v1/apps/app_web/webhook": { body: hook },
    "PATCH /api/v1/apps/app_web": { status: 202, body: sshApp(null) },
  });
  render(() => <AppSettings app={sshApp(null)} onChanged={() => {}} />);
  await screen.findByText(/Not seen yet/);
  fireEvent.input(screen.getByLabelText("Pin another fingerprint"), { target: { value: "SHA256:short" } });
  fireEvent.click(screen.getByRole("button", { name: "Pin" }));
  await screen.findByText("must be an SSH host key fingerprint like SHA256:…");
  expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(0);
  fireEvent.input(screen.getByLabelText("Pin another fingerprint"), { target: { value: SEEN } });
  fireEvent.click(screen.getByRole("button", { name: "Pin" }));
  await waitFor(() => expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ hostKey: SEEN }));
  cleanup();
  mockApi({ "GET /api/v1/apps/app_web/webhook": { body: hook } });
  render(() => <AppSettings app={app()} onChanged={() => {}} />);
  await screen.findByRole("heading", { name: "Environment" });
  expect(screen.queryByRole("region", { name: "Git host key" })).toBeNull();
});
