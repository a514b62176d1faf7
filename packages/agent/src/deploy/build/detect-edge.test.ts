import { describe, expect, it } from "vitest";
import { composePublishedPort, detectBuild } from "./detect.ts";
import { memoryRepoFiles } from "./repo-files.ts";
import { BuildDetectionError, type BuildPlan } from "./types.ts";

function generated(plan: BuildPlan) {
  if (plan.strategy !== "generated") throw new Error(`expected a generated Dockerfile, got ${plan.strategy}`);
  return { ...plan, lines: plan.dockerfile.split("\n") };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(BuildDetectionError);
    return (err as Error).message;
  }
  throw new Error("expected detection to refuse");
}

describe("detectBuild edge cases", () => {
  it("pins pnpm from packageManager and uses yarn berry's immutable install", async () => {
    const pnpm = generated(
      await detectBuild(
        memoryRepoFiles({
          "package.json": JSON.stringify({ packageManager: "pnpm@8.15.9", scripts: { start: "node a.js" } }),
          "pnpm-lock.yaml": "lockfileVersion: '6.0'\n",
        }),
      ),
    );
    expect(pnpm.lines).toContain("RUN npm install --global pnpm@8.15.9");
    expect(pnpm.lines).toContain("RUN pnpm prune --prod");
    const berry = generated(
      await detectBuild(
        memoryRepoFiles({
          "package.json": JSON.stringify({ scripts: { start: "node a.js" } }),
          "yarn.lock": "__metadata:\n  version: 8\n",
        }),
      ),
    );
    expect(berry.lines).toEqual(
      expect.arrayContaining(["RUN corepack enable", "COPY . .", "RUN yarn install --immutable"]),
    );
  });

  it("installs without a lockfile but says so, and copies everything for workspaces", async () => {
    const plan = generated(
      await detectBuild(
        memoryRepoFiles({
          "package.json": JSON.stringify({ workspaces: ["packages/*"], scripts: { start: "node index.js" } }),
        }),
      ),
    );
    expect(plan.lines).toEqual(
      expect.arrayContaining(["# Dependencies: npm, no lockfile.", "COPY . .", "RUN npm install"]),
    );
    expect(plan.reason).toContain("port 3000 (PORT is set; no port found in index.js)");
  });

  it("refuses broken package.json, ambiguous Flask apps and Django without manage.py", async () => {
    expect(await refusal(detectBuild(memoryRepoFiles({ "package.json": "{ nope" })))).toMatch(
      /^package\.json is not valid JSON: /,
    );
    const ambiguous = memoryRepoFiles({
      "requirements.txt": "flask\n",
      "a/app.py": "from flask import Flask\napp = Flask(__name__)\n",
      "b/app.py": "from flask import Flask\napp = Flask(__name__)\n",
    });
    expect(await refusal(detectBuild(ambiguous))).toBe(
      "found several Flask() apps (a/app.py, b/app.py); add a Dockerfile to say which to run",
    );
    expect(await refusal(detectBuild(memoryRepoFiles({ "requirements.txt": "Django==5.1\n" })))).toBe(
      "found django in requirements.txt, but no manage.py at the repository root",
    );
    expect(
      await refusal(detectBuild(memoryRepoFiles({ "requirements.txt": "flask\n", "x.py": "print(1)\n" }))),
    ).toBe(
      'found flask in requirements.txt, but no Python file creates a Flask() app (looked for "app = Flask(")',
    );
  });

  it("reads published ports from every compose port syntax", () => {
    expect(composePublishedPort("services:\n  a:\n    ports: ['127.0.0.1:9000:80/tcp']\n")).toBe(9000);
    expect(composePublishedPort("services:\n  a:\n    ports: [{target: 80, published: '8088'}]\n")).toBe(
      8088,
    );
    expect(composePublishedPort("services:\n  a:\n    ports: ['80']\n")).toBeNull();
    expect(() => composePublishedPort("services: [")).toThrow(BuildDetectionError);
  });

  it("never lets a dependency name from pyproject reach the shell unquoted", async () => {
    const plan = generated(
      await detectBuild(
        memoryRepoFiles({
          "pyproject.toml":
            '[project]\nname = "x"\ndependencies = ["fastapi", "evil; touch /tmp/pwned", "$(id)"]\n',
          "main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        }),
      ),
    );
    expect(plan.lines).toContain("RUN pip install --no-cache-dir fastapi 'evil; touch /tmp/pwned' '$(id)'");
  });
});

describe("odd file names", () => {
  it("never reach the Dockerfile: a Flask app in a file Python cannot import is not a candidate", async () => {
    const files = memoryRepoFiles({
      "requirements.txt": "flask\n",
      "evil\nRUN touch pwned\n.py": "from flask import Flask\napp = Flask(__name__)\n",
      "web/app.py": "from flask import Flask\napp = Flask(__name__)\n",
    });
    const plan = generated(await detectBuild(files));
    expect(plan.reason).toBe("found flask in requirements.txt; app web.app:app in web/app.py");
    expect(plan.dockerfile).not.toContain("pwned");
  });
});
