import type { Backup } from "@pylon/shared";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { app } from "../../../testing/app-fixtures.ts";
import { apiError, mockApi } from "../../../testing/mock-api.ts";
import { BackupsTab } from "./BackupsTab.tsx";
import { SnapshotsTab } from "./SnapshotsTab.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function backup(over: Partial<Backup> = {}): Backup {
  return {
    id: "bkp_one",
    appId: "app_web",
    appName: "web",
    appExists: true,
    nodeId: "node_pve1",
    storage: "pbs",
    volid: "pbs:backup/ct/120/2026-11-21T10:00:00Z",
    status: "ok",
    sizeBytes: 52_428_800,
    takenAt: "2026-11-21T10:00:00.000Z",
    note: "before the upgrade",
    commit: null,
    protected: false,
    error: null,
    jobId: "job_b1",
    verified: { status: "passed", at: "2026-11-21T11:00:00.000Z", detail: "answered 200", jobId: "job_d1" },
    ...over,
  };
}

const LIST = {
  retention: { keepLast: 3 },
  storage: "pbs",
  appStorage: "pbs",
  storages: [
    { storage: "local", type: "dir", avail: 10 * 2 ** 30 },
    { storage: "pbs", type: "pbs", avail: 100 * 2 ** 30 },
  ],
};

it("lists backups with size, storage, verdicts and failures, and backs up now to the chosen storage", async () => {
  const calls = mockApi({
    "GET /api/v1/apps/app_web/backups": {
      body: {
        ...LIST,
        items: [
          backup(),
          backup({
            id: "bkp_bad",
            status: "failed",
            volid: null,
            sizeBytes: null,
            error: "backup: backup failed: CT is locked (snapshot)",
            verified: null,
            note: null,
          }),
        ],
      },
    },
    "POST /api/v1/apps/app_web/backups": { status: 202, body: backup({ id: "bkp_new", status: "running" }) },
  });
  render(() => <BackupsTab app={app()} canOperate onChanged={() => undefined} />);
  const good = await screen.findByTestId("backup-bkp_one");
  expect(good.textContent).toContain("50.0 MiB");
  expect(good.textContent).toContain("verified");
  expect(good.textContent).toContain("before the upgrade");
  const bad = screen.getByTestId("backup-bkp_bad");
  expect(bad.textContent).toContain("CT is locked (snapshot)");
  expect(within(bad).queryByRole("button", { name: "Restore…" })).toBeNull();

  fireEvent.input(screen.getByLabelText("Note"), { target: { value: "nightly" } });
  fireEvent.click(screen.getByRole("button", { name: "Back up now" }));
  await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
  expect(calls.find((c) => c.method === "POST")?.body).toEqual({ storage: "pbs", note: "nightly" });
});

it("restores a backup here after saying what happens, and as a new app with the API's error on the name", async () => {
  const calls = mockApi({
    "GET /api/v1/apps/app_web/backups": { body: { ...LIST, items: [backup()] } },
    "POST /api/v1/apps/app_web/backups/bkp_one/restore": (call) =>
      (call.body as { target: string }).target === "new"
        ? apiError(409, "conflict", "An app named 'web' or served at 'web.apps' already exists")
        : { status: 202, body: app({ status: "deploying", lastJobId: "job_restore" }) },
  });
  const changed = vi.fn();
  render(() => <BackupsTab app={app()} canOperate onChanged={changed} />);
  fireEvent.click(await screen.findByRole("button", { name: "Restore…" }));
  const dialog = await screen.findByRole("dialog");
  expect(dialog.textContent).toContain("if the restore fails the app keeps running as it is");
  fireEvent.click(within(dialog).getByLabelText("As a new app"));
  fireEvent.input(within(dialog).getByLabelText("Name of the new app"), { target: { value: "web" } });
  fireEvent.click(within(dialog).getByRole("button", { name: "Restore as new app" }));
  expect(await within(dialog).findByText(/already exists/)).toBeTruthy();
  fireEvent.click(within(dialog).getByLabelText(/Here: replace/));
  fireEvent.click(within(dialog).getByRole("button", { name: "Restore here" }));
  await waitFor(() => expect(changed).toHaveBeenCalled());
  expect(changed.mock.calls[0]?.[0]).toMatchObject({ status: "deploying", lastJobId: "job_restore" });
  expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([
    { target: "new", name: "web" },
    { target: "in-place" },
  ]);
});

it("shows a dry run of a retention with what would go, and saves it", async () => {
  const calls = mockApi({
    "GET /api/v1/apps/app_web/backups": { body: { ...LIST, items: [backup()] } },
    "POST /api/v1/apps/app_web/backups/prune": {
      body: {
        jobId: "job_p",
        entries: [
          {
            volid: "pbs:backup/ct/120/2026-11-21T10:00:00Z",
            backupId: "bkp_one",
            takenAt: "2026-11-21T10:00:00.000Z",
            mark: "keep",
          },
          {
            volid: "pbs:backup/ct/120/2026-11-20T10:00:00Z",
            backupId: null,
            takenAt: "2026-11-20T10:00:00.000Z",
            mark: "remove",
          },
        ],
      },
    },
    "PUT /api/v1/apps/app_web/backups/settings": { body: app() },
  });
  render(() => <BackupsTab app={app()} canOperate onChanged={() => undefined} />);
  const keepLast = await screen.findByLabelText("Keep last");
  expect((keepLast as HTMLInputElement).value).toBe("3");
  fireEvent.input(keepLast, { target: { value: "1" } });
  fireEvent.input(screen.getByLabelText("Daily"), { target: { value: "7" } });
  fireEvent.click(screen.getByRole("button", { name: "Dry run" }));
  expect(await screen.findByText("Dry run: 1 would go")).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "Save" }));
  await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
  expect(calls.find((c) => c.method === "POST")?.body).toEqual({
    dryRun: true,
    retention: { keepLast: 1, keepDaily: 7 },
  });
  expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
    retention: { keepLast: 1, keepDaily: 7 },
    storage: "pbs",
  });
});

it("says why a storage has no snapshots and offers no snapshot action there", async () => {
  mockApi({
    "GET /api/v1/apps/app_web/snapshots": {
      body: {
        items: [],
        supported: false,
        reason: "storage 'data' (dir) keeps the disk as a raw image, which cannot take snapshots",
        latestOnly: false,
      },
    },
  });
  render(() => <SnapshotsTab app={app()} canOperate onChanged={() => undefined} />);
  expect(await screen.findByText(/keeps the disk as a raw image/)).toBeTruthy();
  expect(screen.queryByRole("button", { name: "Take snapshot" })).toBeNull();
});

it("offers rollback on ZFS only to the newest snapshot", async () => {
  mockApi({
    "GET /api/v1/apps/app_web/snapshots": {
      body: {
        items: [
          {
            name: "pylon_20261120_100000",
            takenAt: "2026-11-20T10:00:00.000Z",
            description: "",
            own: true,
            canRollback: false,
          },
          {
            name: "pylon_20261121_100000",
            takenAt: "2026-11-21T10:00:00.000Z",
            description: "commit abc",
            own: true,
            canRollback: true,
          },
        ],
        supported: true,
        reason: null,
        latestOnly: true,
      },
    },
  });
  render(() => <SnapshotsTab app={app()} canOperate onChanged={() => undefined} />);
  const newest = await screen.findByTestId("snapshot-pylon_20261121_100000");
  expect(within(newest).getByRole("button", { name: "Roll back" })).toBeTruthy();
  const older = screen.getByTestId("snapshot-pylon_20261120_100000");
  expect(within(older).queryByRole("button", { name: "Roll back" })).toBeNull();
  expect(screen.getByText(/only the newest snapshot can be rolled back to/)).toBeTruthy();
});

it("under AUTO hides the retention editor and says what the policy keeps", async () => {
  mockApi({
    "GET /api/v1/apps/app_web/backups": { body: { ...LIST, items: [backup()] } },
    "GET /api/v1/settings": {
      body: { version: "0.1.0", publicUrl: null, apps: { domain: "x", httpsPort: 443 }, automation: "auto" },
    },
  });
  render(() => <BackupsTab app={app()} canOperate={true} onChanged={() => {}} />);
  const card = await screen.findByTestId("retention-auto");
  expect(card.textContent).toMatch(/keeping 7 daily, 4 weekly and 3 monthly/);
  expect(screen.queryByRole("button", { name: /dry run/i })).toBeNull();
});
