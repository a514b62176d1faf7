import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { signedIn, signedOut } from "../../../context/session.ts";
import { currentPath, navigate } from "../../../router/router.tsx";
import { app, catalogEntry } from "../../../testing/app-fixtures.ts";
import { apiError, mockApi, node, user } from "../../../testing/mock-api.ts";
import { NewApp } from "./NewApp.tsx";

const GiB = 1024 ** 3;
const GITHUB_ED25519 = "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU";

beforeEach(() => {
  signedIn({ user: user({ role: "operator" }), via: "session" });
  navigate("/apps/new?catalog=wiki", { replace: true });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedOut();
});

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** A plan as the agent answers it. */
function planReply(overrides: object = {}) {
  return {
    commit: COMMIT,
    ref: "release",
    plan: {
      refused: null,
      source: "dockerfile",
      reason: "found a Dockerfile; port 8080 (EXPOSE)",
      framework: "dockerfile",
      frameworkName: "Dockerfile",
      runtime: null,
      packageManager: null,
      commands: { install: null, build: "docker build", start: null },
      port: 8080,
      file: "Dockerfile",
      compose: null,
      dockerfile: null,
      dockerignore: null,
      env: { PORT: "8080", HOST: "0.0.0.0" },
      warnings: ["compose.yaml looks like a development stack: web bind-mounts source (.)"],
      found: ["a Dockerfile", "compose.yaml"],
      ...overrides,
    },
  };
}

function api(
  createReply: Parameters<typeof mockApi>[0][string],
  planReplyFor: Parameters<typeof mockApi>[0][string] = { body: planReply() },
) {
  const entry = catalogEntry();
  const { compose: _c, ...summary } = entry;
  return mockApi({
    "GET /api/v1/catalog": { body: { items: [summary] } },
    "GET /api/v1/catalog/wiki": { body: entry },
    "GET /api/v1/nodes": { body: { items: [node()] } },
    "GET /api/v1/nodes/node_pve1": {
      body: {
        ...node(),
        inventoryAt: null,
        inventory: {
          pveVersion: "8.4.5",
          node: { cpu: 0.1, cpus: 8, memTotal: 1, memUsed: 1, uptime: 1 },
          guests: [],
          storages: [
            { storage: "local", type: "dir", content: ["iso"], total: 1, used: 0, avail: 1, active: true },
            {
              storage: "fast",
              type: "zfspool",
              content: ["rootdir", "images"],
              total: 100 * GiB,
              used: 20 * GiB,
              avail: 80 * GiB,
              active: true,
            },
          ],
          templates: [],
        },
      },
    },
    "GET /api/v1/settings": {
      body: { version: "t", publicUrl: null, apps: { domain: "apps.example.com", httpsPort: 443 } },
    },
    "POST /api/v1/apps": createReply,
    "POST /api/v1/apps/plan": planReplyFor,
  });
}

const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const type = (label: string, value: string) => fireEvent.input(input(label), { target: { value } });
const next = () => fireEvent.click(screen.getByRole("button", { name: "Next" }));
/** The texts an input points at with aria-describedby (its error and hint). */
const describedBy = (el: HTMLElement) =>
  (el.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent ?? "");

it("renders the catalog app's parameters with defaults, hints and a masked secret", async () => {
  api({ status: 202, body: app() });
  render(() => <NewApp />);
  expect((await screen.findByLabelText("Admin email *")).getAttribute("type")).toBe("email");
  expect(input("Site title").value).toBe("My wiki");
  expect(input("Workers *").value).toBe("2");
  expect(describedBy(input("Workers *"))).toContain("a whole number from 1 to 8");
  expect(input("Public reading").checked).toBe(true);
  expect((screen.getByLabelText("Theme *") as HTMLSelectElement).value).toBe("dark");
  expect(input("Admin password *").type).toBe("password");
  expect(describedBy(input("Admin password *"))).toContain("at least 12 characters");
  expect(input("App name").value).toBe("wiki");
  // Our own checks run before leaving the step: a required value that is missing is named.
  next();
  expect(describedBy(input("Admin email *"))).toContain("is required");
  expect(screen.getByRole("heading", { name: "Source" })).toBeTruthy();
});

it("walks source → target → domain → variables → review and sends the body the API expects", async () => {
  const calls = api({ status: 202, body: app({ id: "app_new", name: "docs" }) });
  render(() => <NewApp />);
  await screen.findByLabelText("Admin email *");
  type("Admin email *", "ada@example.com");
  type("Workers *", "3");
  fireEvent.click(input("Public reading"));
  type("Admin password *", "correct horse battery");
  type("App name", "docs");
  next();

  await screen.findByRole("heading", { name: "Target" });
  // The first online node is chosen, with what it has free, and a storage that holds guests.
  expect((await screen.findByTestId("capacity")).textContent).toContain("80.0 GiB on fast");
  expect(screen.getByTestId("capacity").textContent).toContain("8 CPU cores");
  fireEvent.click(screen.getByLabelText(/Virtual machine/));
  type("Memory (MiB)", "1024");
  next();

  await screen.findByRole("heading", { name: "Domain" });
  // The default domain comes from the apps already served at <name>.<apps domain>.
  expect(describedBy(input("Domain")).join()).toContain("docs.apps.example.com");
  next();

  await screen.findByRole("heading", { name: "Variables" });
  fireEvent.click(screen.getByRole("button", { name: "Add variable" }));
  type("variable 1 name", "LOG_LEVEL");
  type("variable 1 value", "debug");
  fireEvent.click(screen.getByRole("button", { name: "Add secret" }));
  type("secret 1 name", "SMTP_PASSWORD");
  type("secret 1 value", "hunter22");
  expect(input("secret 1 value").type).toBe("password");
  next();

  await screen.findByRole("heading", { name: "Review" });
  expect(screen.getByRole("region", { name: "Source" }).textContent).not.toContain("correct horse");
  expect(screen.getByRole("region", { name: "Variables" }).textContent).not.toContain("hunter22");
  fireEvent.click(screen.getByRole("button", { name: "Deploy" }));

  await waitFor(() => expect(currentPath()).toBe("/apps/app_new"));
  const post = calls.find((c) => c.method === "POST");
  expect(post?.body).toEqual({
    name: "docs",
    source: {
      type: "catalog",
      catalogId: "wiki",
      parameters: {
        admin_email: "ada@example.com",
        site_title: "My wiki",
        workers: 3,
        public: false,
        theme: "dark",
        admin_password: "correct horse battery",
      },
    },
    target: {
      nodeId: "node_pve1",
      type: "qemu",
      cores: 1,
      memoryMb: 1024,
      diskGb: 4,
      storage: "fast",
      bridge: "vmbr0",
    },
    env: { LOG_LEVEL: "debug" },
    secrets: { SMTP_PASSWORD: "hunter22" },
  });
});

it("shows the API's field errors next to their fields, on the step that has them", async () => {
  api(
    apiError(400, "validation_failed", "Invalid request body", [
      { path: "source.parameters.admin_email", message: "is already used by another wiki" },
      { path: "target.memoryMb", message: "must fit the node's free memory (300 MiB free)" },
    ]),
  );
  render(() => <NewApp />);
  await screen.findByLabelText("Admin email *");
  type("Admin email *", "ada@example.com");
  type("Admin password *", "correct horse battery");
  next();
  await screen.findByTestId("capacity");
  next();
  next();
  next();
  fireEvent.click(await screen.findByRole("button", { name: "Deploy" }));

  // Back on the source step, with the message under the email field, and a pointer above.
  await screen.findByRole("heading", { name: "Source" });
  expect(describedBy(await screen.findByLabelText("Admin email *"))).toContain(
    "is already used by another wiki",
  );
  expect(screen.getByRole("alert").textContent).toContain("Please correct the fields marked below.");
  expect(currentPath()).toBe("/apps/new");
  // The other error waits on its own step.
  next();
  await screen.findByRole("heading", { name: "Target" });
  expect(describedBy(input("Memory (MiB)"))).toContain("must fit the node's free memory (300 MiB free)");
});

it("says an http:// repository URL is wrong, without asking for a deploy key", async () => {
  navigate("/apps/new?source=git", { replace: true });
  api({ status: 202, body: app() });
  render(() => <NewApp />);
  type("Repository URL *", "http://git.example.com/acme/site.git");
  next();
  expect(describedBy(input("Repository URL *")).join(" ")).toContain("must be an https:// URL");
  expect(describedBy(screen.getByLabelText("Deploy key")).join(" ")).not.toContain("required");
  expect(screen.queryByText(/is required for an ssh repository URL/)).toBeNull();
  // No host key to pin for a URL that is not ssh.
  expect(screen.queryByLabelText("SSH host key fingerprint")).toBeNull();
});

it("deploys from a Git repository with a masked deploy key", async () => {
  navigate("/apps/new?source=git", { replace: true });
  const calls = api({ status: 202, body: app({ id: "app_git" }) });
  render(() => <NewApp />);
  expect((screen.getByLabelText(/A Git repository/) as HTMLInputElement).checked).toBe(true);
  type("Repository URL *", "git@github.com:acme/Shop_Front.git");
  expect(input("App name").value).toBe("shop-front");
  type("Branch, tag or commit", "release");
  fireEvent.change(screen.getByLabelText("Build with"), { target: { value: "dockerfile" } });
  type("Port the app listens on", "8080");
  expect((screen.getByLabelText("Deploy key") as HTMLElement).classList.contains("masked")).toBe(true);
  next();
  // An ssh URL needs the key.
  expect(describedBy(screen.getByLabelText("Deploy key"))).toContain("is required for an ssh repository URL");
  fireEvent.input(screen.getByLabelText("Deploy key"), { target: { value: "-----BEGIN KEY-----" } });
  // The Git host's key can be pinned with the deploy key; a malformed one is flagged here.
  type("SSH host key fingerprint", "SHA256:nope");
  next();
  expect(describedBy(input("SSH host key fingerprint")).join(" ")).toContain(
    "must be an SSH host key fingerprint",
  );
  type("SSH host key fingerprint", GITHUB_ED25519);
  next();
  await screen.findByTestId("capacity");
  next();
  next();
  next();
  // The review step shows the plan the node's agent made from the repository.
  const panel = await screen.findByRole("region", { name: "Build plan" });
  await waitFor(() => expect(panel.textContent).toContain("found a Dockerfile; port 8080 (EXPOSE)"));
  expect(panel.textContent).toContain("compose.yaml looks like a development stack");
  expect(calls.find((c) => c.url.pathname === "/api/v1/apps/plan")?.body).toEqual({
    nodeId: "node_pve1",
    source: {
      type: "git",
      url: "git@github.com:acme/Shop_Front.git",
      ref: "release",
      buildMode: "dockerfile",
      port: 8080,
      deployKey: "-----BEGIN KEY-----",
      hostKey: GITHUB_ED25519,
    },
  });
  fireEvent.click(await screen.findByRole("button", { name: "Deploy" }));
  await waitFor(() => expect(currentPath()).toBe("/apps/app_git"));
  expect(calls.find((c) => c.method === "POST" && c.url.pathname === "/api/v1/apps")?.body).toMatchObject({
    name: "shop-front",
    source: {
      type: "git",
      url: "git@github.com:acme/Shop_Front.git",
      ref: "release",
      buildMode: "dockerfile",
      port: 8080,
      deployKey: "-----BEGIN KEY-----",
      commit: COMMIT,
    },
    target: { cores: 1, memoryMb: 1024, diskGb: 8 },
  });
});

it("a refused plan stops the deploy; changed settings are planned again and deployed with the plan", async () => {
  navigate("/apps/new?source=git", { replace: true });
  let answer: object = planReply({
    refused:
      "found a Python project (requirements.txt) without Django, Flask or FastAPI; set the start command",
    source: null,
    framework: null,
  });
  const calls = api({ status: 202, body: app({ id: "app_py" }) }, () => ({ body: answer }));
  render(() => <NewApp />);
  type("Repository URL *", "https://git.example.com/acme/worker.git");
  next();
  await screen.findByTestId("capacity");
  next();
  next();
  next();
  const panel = await screen.findByRole("region", { name: "Build plan" });
  await waitFor(() => expect(panel.textContent).toContain("Pylon cannot build this repository as it is."));
  fireEvent.click(screen.getByRole("button", { name: "Deploy" }));
  expect((await screen.findByText(/The plan was refused/)).textContent).toContain("plan again");
  expect(calls.some((c) => c.method === "POST" && c.url.pathname === "/api/v1/apps")).toBe(false);

  type("Start command", "python worker.py");
  answer = planReply({
    source: "generated",
    framework: "python",
    reason: "found requirements.txt",
    commands: { install: "pip install -r requirements.txt", build: null, start: "python worker.py" },
  });
  fireEvent.click(screen.getByRole("button", { name: "Plan again" }));
  await waitFor(() => expect(panel.textContent).toContain("python worker.py"));
  expect(calls.filter((c) => c.url.pathname === "/api/v1/apps/plan").at(-1)?.body).toMatchObject({
    source: { plan: { startCommand: "python worker.py" } },
  });
  fireEvent.click(screen.getByRole("button", { name: "Deploy" }));
  await waitFor(() => expect(currentPath()).toBe("/apps/app_py"));
  expect(calls.find((c) => c.method === "POST" && c.url.pathname === "/api/v1/apps")?.body).toMatchObject({
    source: { plan: { startCommand: "python worker.py" }, commit: COMMIT },
  });
});
