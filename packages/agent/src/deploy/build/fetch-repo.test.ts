import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServedRepo, serveRepo } from "../pipeline/git-fixture.ts";
import { FetchError, planRepository } from "./fetch-repo.ts";
import { directoryRepoFiles } from "./repo-files.ts";

let theme: ServedRepo;
let site: ServedRepo;
let api: ServedRepo;
const work = mkdtempSync(join(tmpdir(), "pylon-fetch-"));

beforeAll(async () => {
  theme = await serveRepo({ "layouts/index.html": "<h1>{{ .Title }}</h1>", "theme.toml": 'name = "plain"' });
  site = await serveRepo(
    { "hugo.toml": 'title = "Notes"\ntheme = "plain"\n', "content/_index.md": "# Notes" },
    undefined,
    {
      "themes/plain": theme,
    },
  );
  api = await serveRepo({
    "services/api/pyproject.toml": '[project]\nname = "api"\ndependencies = ["fastapi>=0.115"]\n',
    "services/api/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
  });
});
afterAll(async () => {
  await Promise.all([theme?.close(), site?.close(), api?.close()]);
  rmSync(work, { recursive: true, force: true });
});

describe("planRepository (the agent fetches and plans before any guest exists)", () => {
  it("fetches shallowly at the ref, submodules included, and plans the checkout", async () => {
    const { commit, plan } = await planRepository(
      { url: site.url, ref: "main", overrides: {} },
      { workDir: work },
    );
    expect(commit).toBe(site.commit);
    expect(plan).toMatchObject({ refused: null, framework: "hugo" });
    // The theme submodule's files were there to see: no "submodule not fetched" note.
    expect(plan.found).toEqual(["a Hugo site (hugo.toml)", "git submodules"]);
  });

  it("plans a subdirectory, fetches a commit id, and names a missing subdirectory or ref", async () => {
    const { plan } = await planRepository(
      { url: api.url, ref: api.commit, subdirectory: "services/api", overrides: {} },
      { workDir: work },
    );
    expect(plan).toMatchObject({ framework: "fastapi" });
    await expect(
      planRepository(
        { url: api.url, ref: "main", subdirectory: "services/web", overrides: {} },
        { workDir: work },
      ),
    ).rejects.toThrow(
      new FetchError("subdirectory 'services/web' is not a folder of the repository at main"),
    );
    await expect(
      planRepository({ url: api.url, ref: "no-such-branch", overrides: {} }, { workDir: work }),
    ).rejects.toThrow(/git fetch failed: .*couldn't find remote ref no-such-branch/);
  });

  it("never reads a file a symlink points at (the host's files stay the host's)", async () => {
    const dir = join(work, "links");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, "index.html"), "<p>hi</p>");
    symlinkSync("/etc/hostname", join(dir, "package.json"));
    const files = directoryRepoFiles(dir);
    expect(await files.list()).toEqual(["index.html"]);
    expect(await files.read("package.json")).toBeUndefined();
    expect(await files.read("../../etc/hostname")).toBeUndefined();
  });
});
