import type { ApiToken, Role } from "@pylon/shared";
import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { signedIn } from "../../context/session.ts";
import { mockApi, user } from "../../testing/mock-api.ts";
import { Tokens } from "./Tokens.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const token = (over: Partial<ApiToken> = {}): ApiToken => ({
  id: "tok_1",
  name: "ci",
  prefix: "pyl_abcd",
  scopes: ["read"],
  userId: "usr_ada",
  createdAt: new Date().toISOString(),
  expiresAt: null,
  lastUsedAt: null,
  ...over,
});

function as(role: Role) {
  signedIn({ user: user({ role }), via: "session" });
}

it.each([
  ["viewer", ["read"]],
  ["operator", ["read", "deploy", "write"]],
  ["admin", ["read", "deploy", "write", "admin"]],
] as const)("offers a %s only the scopes the role may grant", async (role, scopes) => {
  as(role);
  mockApi({ "GET /api/v1/tokens": { body: { items: [] } } });
  render(() => <Tokens />);
  await screen.findByText("No tokens yet.");
  const offered = screen.getAllByRole("radio").map((r) => (r as HTMLInputElement).value);
  expect(offered).toEqual(scopes);
  expect(screen.queryByText("Show every user's tokens") !== null).toBe(role === "admin");
});

it("describes tokens and scopes as the API has them: no CLI, and read tokens read what the role reads", async () => {
  as("admin");
  mockApi({ "GET /api/v1/tokens": { body: { items: [] } } });
  render(() => <Tokens />);
  await screen.findByText("No tokens yet.");
  expect(document.body.textContent).not.toMatch(/\bCLI\b/);
  const scopeText = (value: string) =>
    (screen.getAllByRole("radio") as HTMLInputElement[]).find((r) => r.value === value)?.closest("label")
      ?.textContent ?? "";
  expect(scopeText("read")).toMatch(/users and the audit log too/);
  expect(scopeText("admin")).not.toMatch(/audit log/);
});

it("shows the new secret once, with a warning and a copy button", async () => {
  as("operator");
  const writeText = vi.fn(async () => {});
  Object.assign(navigator, { clipboard: { writeText } });
  let items: ApiToken[] = [];
  const calls = mockApi({
    "GET /api/v1/tokens": () => ({ body: { items } }),
    "POST /api/v1/tokens": () => {
      items = [token({ name: "deploys", scopes: ["write"] })];
      return { status: 201, body: { token: items[0], secret: "pyl_secret_once" } };
    },
  });
  render(() => <Tokens />);
  await screen.findByText("No tokens yet.");
  fireEvent.input(screen.getByLabelText("Name"), { target: { value: "deploys" } });
  fireEvent.click(screen.getByRole("radio", { name: /write/ }));
  fireEvent.click(screen.getByRole("button", { name: "Create token" }));
  const secret = (await screen.findByLabelText("Token secret")) as HTMLInputElement;
  expect(secret.value).toBe("pyl_secret_once");
  expect(screen.getByText(/you won't see it again/)).toBeTruthy();
  expect(calls.find((c) => c.method === "POST")?.body).toEqual({
    name: "deploys",
    scopes: ["write"],
    expiresInDays: 90,
  });
  fireEvent.click(screen.getByRole("button", { name: "Copy secret" }));
  await screen.findByRole("button", { name: /Copied/ });
  expect(writeText).toHaveBeenCalledWith("pyl_secret_once");
  await screen.findByText("deploys");
  fireEvent.click(screen.getByRole("button", { name: "I have stored it" }));
  expect(screen.queryByLabelText("Token secret")).toBeNull();
  expect(document.body.textContent).not.toContain("pyl_secret_once");
});

it("revokes a token after a confirmation naming it", async () => {
  as("viewer");
  let items = [token({ name: "laptop", lastUsedAt: new Date(Date.now() - 3 * 3600_000).toISOString() })];
  const calls = mockApi({
    "GET /api/v1/tokens": () => ({ body: { items } }),
    "DELETE /api/v1/tokens/tok_1": () => {
      items = [];
      return { status: 204 };
    },
  });
  render(() => <Tokens />);
  await screen.findByText("3 hours ago");
  fireEvent.click(screen.getByRole("button", { name: "Revoke token laptop" }));
  const dialog = screen.getByRole("dialog", { name: "Revoke token “laptop”?" });
  fireEvent.click(dialog.querySelector("button.btn-danger") as HTMLButtonElement);
  await screen.findByText("No tokens yet.");
  await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  expect(calls.some((c) => c.method === "DELETE")).toBe(true);
});

it("lets an admin list every user's tokens, with the owner's name", async () => {
  as("admin");
  const calls = mockApi({
    "GET /api/v1/tokens": (c) => ({
      body: {
        items:
          c.url.searchParams.get("all") === "true"
            ? [token(), token({ id: "tok_2", name: "vera's", userId: "usr_vera" })]
            : [token()],
      },
    }),
    "GET /api/v1/users": { body: { items: [user(), user({ id: "usr_vera", name: "Vera Viewer" })] } },
  });
  render(() => <Tokens />);
  await screen.findByText("ci");
  fireEvent.click(screen.getByLabelText("Show every user's tokens"));
  await screen.findByText("vera's");
  await screen.findByText("Vera Viewer");
  expect(screen.getByRole("heading", { name: "Everyone's tokens" })).toBeTruthy();
  expect(calls.some((c) => c.url.searchParams.get("all") === "true")).toBe(true);
});
