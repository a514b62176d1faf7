import { cleanup, render, screen } from "@solidjs/testing-library";
import { afterEach, expect, it } from "vitest";
import { app } from "../../testing/app-fixtures.ts";
import { node } from "../../testing/mock-api.ts";
import { AppSummary } from "./AppSummary.tsx";

afterEach(cleanup);

it("names a catalog app's source by the catalog's name for it, as the catalog and wizard do", () => {
  const a = app({
    source: {
      type: "catalog",
      catalogId: "uptime-kuma",
      name: "Uptime Kuma",
      version: "1.23.16",
      parameters: {},
    },
  });
  render(() => <AppSummary app={a} node={node()} />);
  expect(screen.getByTestId("source").textContent).toBe("Catalog: Uptime Kuma 1.23.16");
});

it("says on a simulated node's app that it answers with a placeholder, and nothing of the kind elsewhere", () => {
  render(() => <AppSummary app={app()} node={node({ simulated: true })} />);
  expect(screen.getByRole("note").textContent).toMatch(/^Simulated node: apps answer with a placeholder\./);
  cleanup();
  render(() => <AppSummary app={app()} node={node({ simulated: false })} />);
  expect(screen.queryByRole("note")).toBeNull();
});

it("shows an ssh Git app's host key, and whether it was pinned or trusted on first use", () => {
  const fp = "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU";
  const git = (pinned: boolean) =>
    app({
      source: {
        type: "git",
        url: "git@github.com:acme/site.git",
        ref: "main",
        subdirectory: null,
        buildMode: "auto",
        hasDeployKey: true,
        hostKey: { fingerprint: fp, keyType: "ssh-ed25519", pinned },
      },
    });
  render(() => <AppSummary app={git(false)} node={node()} />);
  expect(screen.getByTestId("git-host-key").textContent).toBe(
    `${fp} ssh-ed25519, trusted on first use (pin it in Settings)`,
  );
  cleanup();
  render(() => <AppSummary app={git(true)} node={node()} />);
  expect(screen.getByTestId("git-host-key").textContent).toBe(`${fp} ssh-ed25519, pinned`);
});
