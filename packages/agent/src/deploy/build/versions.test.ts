import { describe, expect, it } from "vitest";
import { readyPlan } from "./detect.ts";
import { memoryRepoFiles } from "./repo-files.ts";
import { generated } from "./testing.ts";

const pkg = (extra: object = {}) =>
  JSON.stringify({ scripts: { start: "node server.js" }, dependencies: { express: "^5.1.0" }, ...extra });
const node = (files: Record<string, string>) =>
  memoryRepoFiles({ "server.js": "app.listen(process.env.PORT || 3000)", ...files });

describe("runtime versions from the places the ecosystems use", () => {
  it("Node defaults to the current LTS line (24), not a fixed old release", async () => {
    const plan = await readyPlan(node({ "package.json": pkg() }));
    expect(plan.runtime).toEqual({
      name: "node",
      version: "24",
      from: "default",
      image: "node:24-bookworm-slim",
    });
  });

  it("reads .nvmrc, .node-version, .tool-versions and engines, first one winning", async () => {
    const at = async (files: Record<string, string>) =>
      (await readyPlan(node({ "package.json": pkg(), ...files }))).runtime;
    expect(await at({ ".nvmrc": "v22.12.0\n" })).toMatchObject({
      version: "22.12.0",
      from: ".nvmrc",
      image: "node:22.12.0-bookworm-slim",
    });
    expect(await at({ ".nvmrc": "lts/jod\n" })).toMatchObject({ version: "22", from: ".nvmrc" });
    expect(await at({ ".node-version": "22\n" })).toMatchObject({ version: "22", from: ".node-version" });
    expect(await at({ ".tool-versions": "python 3.12.1\nnodejs 22.11.0\n" })).toMatchObject({
      version: "22.11.0",
      from: ".tool-versions",
    });
    expect(
      (await readyPlan(node({ "package.json": pkg({ engines: { node: ">=18 <23" } }) }))).runtime,
    ).toMatchObject({ version: "22", from: "package.json engines.node" });
  });

  it("packageManager and dependencies raise the default when it cannot meet them, and warn when a pinned version cannot", async () => {
    // pnpm 11 needs Node >= 22.13: a .nvmrc pinning 22.12 is kept, with a warning naming both.
    const pinned = await readyPlan(
      node({
        "package.json": pkg({ packageManager: "pnpm@11.1.0" }),
        "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        ".nvmrc": "22.12.0",
      }),
    );
    expect(pinned.runtime?.version).toBe("22.12.0");
    expect(pinned.warnings).toContain("pnpm 11.1.0 needs Node.js >=22.13, but Node.js 22.12.0 is used");
    // Vite 8 needs ^20.19 || >=22.12; .nvmrc 20.18 is older.
    const vite = await readyPlan(
      memoryRepoFiles({
        "package.json": JSON.stringify({
          devDependencies: { vite: "^8.0.0" },
          scripts: { build: "vite build" },
        }),
        ".nvmrc": "20.18.1",
        "index.html": "",
      }),
    );
    expect(vite.warnings).toEqual(
      expect.arrayContaining([
        "vite 8 needs Node.js ^20.19.0 || >=22.12.0, but Node.js 20.18.1 is used",
        "Node.js 20 is past its end of life; consider Node.js 24",
      ]),
    );
  });

  it("a version Pylon cannot provide is a warning with the version chosen", async () => {
    const plan = await readyPlan(node({ "package.json": pkg({ engines: { node: "^14" } }) }));
    expect(plan.runtime?.version).toBe("24");
    expect(plan.warnings[0]).toBe(
      "package.json engines.node asks for Node.js ^14, which Pylon cannot provide; using Node.js 24",
    );
  });

  it("the user's version setting wins", async () => {
    const plan = await generated(node({ "package.json": pkg(), ".nvmrc": "20" }), { nodeVersion: "22" });
    expect(plan.runtime).toMatchObject({ version: "22", from: "your setting" });
    expect(plan.lines.filter((l) => l.startsWith("FROM "))).toEqual([
      "FROM node:22-bookworm-slim AS build",
      "FROM node:22-bookworm-slim",
    ]);
  });

  it("Python: .python-version, runtime.txt, requires-python; default 3.13", async () => {
    const flask = {
      "app.py": "from flask import Flask\napp = Flask(__name__)\n",
      "requirements.txt": "flask==3.1.0\n",
    };
    const at = async (files: Record<string, string>) =>
      (await readyPlan(memoryRepoFiles({ ...flask, ...files }))).runtime;
    expect(await at({})).toMatchObject({ version: "3.13", from: "default", image: "python:3.13-slim" });
    expect(await at({ ".python-version": "3.12\n" })).toMatchObject({
      version: "3.12",
      image: "python:3.12-slim",
    });
    expect(await at({ "runtime.txt": "python-3.11.9\n" })).toMatchObject({
      version: "3.11.9",
      from: "runtime.txt",
    });
    expect(
      await at({ "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10,<3.13"\n' }),
    ).toMatchObject({
      version: "3.12",
      from: "pyproject.toml requires-python",
    });
    expect(await at({ "pyproject.toml": '[project]\nrequires-python = "~=3.14"\n' })).toMatchObject({
      version: "3.14",
    });
  });
});
