import { describe, expect, it } from "vitest";
import { readyPlan } from "./detect.ts";
import { memoryRepoFiles } from "./repo-files.ts";
import { generated } from "./testing.ts";

const flaskApp = { "app.py": "from flask import Flask\napp = Flask(__name__)\n" };
const nodeApp = (extra: object, files: Record<string, string>) =>
  memoryRepoFiles({
    "package.json": JSON.stringify({
      scripts: { start: "node index.js" },
      dependencies: { koa: "^3" },
      ...extra,
    }),
    "index.js": "app.listen(3000)",
    ...files,
  });

describe("package managers by lockfile and packageManager", () => {
  it("npm, Yarn classic, Yarn Berry, pnpm and Bun install with their lockfiles", async () => {
    const npm = await generated(nodeApp({}, { "package-lock.json": "{}" }));
    expect([npm.packageManager, npm.commands.install]).toEqual(["npm", "npm ci"]);
    const yarn = await generated(nodeApp({}, { "yarn.lock": "# yarn lockfile v1\n" }));
    expect([yarn.packageManager, yarn.commands.install]).toEqual(["yarn", "yarn install --frozen-lockfile"]);
    const berry = await generated(
      nodeApp({ packageManager: "yarn@4.9.2" }, { "yarn.lock": "__metadata:\n  version: 8\n" }),
    );
    expect(berry.commands).toMatchObject({ install: "yarn install --immutable", start: "yarn start" });
    expect(berry.lines).toEqual(
      expect.arrayContaining(["ENV COREPACK_HOME=/usr/local/share/corepack", "RUN corepack enable"]),
    );
    const pnpm = await generated(
      nodeApp({ packageManager: "pnpm@9.15.4" }, { "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" }),
    );
    expect(pnpm.lines).toEqual(
      expect.arrayContaining([
        "RUN npm install --global pnpm@9.15.4",
        "RUN pnpm install --frozen-lockfile",
        "RUN pnpm prune --prod",
      ]),
    );
    const bun = await generated(nodeApp({}, { "bun.lock": "{}" }));
    expect(bun.commands).toMatchObject({ install: "bun install --frozen-lockfile", start: "bun run start" });
    // Bun runs the app too, so the final stage has it.
    expect(bun.lines.filter((l) => l === "RUN npm install --global bun@1")).toHaveLength(2);
  });

  it("no lockfile is a warning; workspaces copy the whole context before installing", async () => {
    const plan = await generated(nodeApp({ workspaces: ["packages/*"] }, {}));
    expect(plan.warnings).toContain(
      "no lockfile: dependencies are resolved afresh at every build (commit package-lock.json)",
    );
    expect(plan.lines).toEqual(expect.arrayContaining(["COPY . .", "RUN npm install"]));
  });

  it("Pipfile, Poetry, uv and PDM install from their lockfiles; requirements.txt with pip", async () => {
    const at = async (files: Record<string, string>) => generated(memoryRepoFiles({ ...flaskApp, ...files }));
    const pipenv = await at({
      Pipfile: '[packages]\nflask = "*"\n\n[requires]\npython_version = "3.12"\n',
      "Pipfile.lock": "{}",
    });
    expect(pipenv).toMatchObject({
      packageManager: "pipenv",
      runtime: { version: "3.12", from: "Pipfile [requires]" },
    });
    expect(pipenv.lines).toEqual(expect.arrayContaining(["COPY Pipfile Pipfile.lock ./"]));
    expect(pipenv.commands.install).toContain("pipenv install --system --deploy");
    const poetry = await at({
      "pyproject.toml":
        '[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3.1"\n',
      "poetry.lock": "",
    });
    expect(poetry).toMatchObject({ packageManager: "poetry", runtime: { version: "3.13" } });
    expect(poetry.commands.install).toContain("poetry install --only main --no-root");
    const uv = await at({
      "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.12"\ndependencies = ["flask>=3"]\n',
      "uv.lock": "version = 1\n",
    });
    expect(uv.packageManager).toBe("uv");
    expect(uv.commands.install).toContain("uv export --frozen --no-dev --no-emit-project");
    const pdm = await at({
      "pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask>=3"]\n\n[tool.pdm]\n',
      "pdm.lock": "",
    });
    expect(pdm.packageManager).toBe("pdm");
    expect(pdm.commands.install).toContain("pdm export --prod");
    const pip = await at({ "requirements.txt": "flask==3.1.0\n" });
    expect(pip.commands.install).toBe(
      "pip install --no-cache-dir -r requirements.txt && pip install gunicorn==23.0.0",
    );
  });

  it("never lets a dependency name from pyproject reach the shell unquoted", async () => {
    const plan = await generated(
      memoryRepoFiles({
        ...flaskApp,
        "pyproject.toml": `[project]\ndependencies = ["flask>=3", "x; touch /tmp/owned"]\n`,
      }),
    );
    expect(plan.dockerfile).toContain("'x; touch /tmp/owned'");
  });

  it("a Procfile's web: command is the start command", async () => {
    const plan = await readyPlan(
      memoryRepoFiles({
        "requirements.txt": "waitress\n",
        Procfile: "release: true\nweb: waitress-serve --port=$PORT main:app\n",
      }),
    );
    expect(plan).toMatchObject({
      framework: "python",
      commands: { start: "waitress-serve --port=$PORT main:app" },
    });
    expect(plan.dockerfile).toContain('CMD ["sh","-c","waitress-serve --port=$PORT main:app"]');
  });
});
