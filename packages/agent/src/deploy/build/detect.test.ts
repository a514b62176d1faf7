import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { detectBuild } from "./detect.ts";
import { directoryRepoFiles } from "./repo-files.ts";
import { BuildDetectionError, type BuildPlan } from "./types.ts";

const fixture = (name: string) =>
  directoryRepoFiles(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));

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

describe("detectBuild on fixture repositories", () => {
  it("uses the repository's compose file first, with the port it publishes", async () => {
    expect(await detectBuild(fixture("compose"))).toEqual({
      strategy: "compose",
      framework: "compose",
      file: "compose.yaml",
      reason: "found compose.yaml",
      port: 8081,
    });
    // Dockerfile mode skips the compose file and builds the repository's Dockerfile.
    expect(await detectBuild(fixture("compose"), "dockerfile")).toMatchObject({
      strategy: "dockerfile",
      port: 80,
    });
  });

  it("uses the repository's Dockerfile before any framework, with its EXPOSEd port", async () => {
    expect(await detectBuild(fixture("dockerfile"))).toEqual({
      strategy: "dockerfile",
      framework: "dockerfile",
      file: "Dockerfile",
      reason: "found Dockerfile",
      port: 5000,
    });
    expect(await refusal(detectBuild(fixture("dockerfile"), "compose"))).toBe(
      "build mode is compose, but the repository has none of compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml",
    );
  });

  it("Next.js: npm ci, build, standalone server as the node user on 3000", async () => {
    const plan = generated(await detectBuild(fixture("nextjs")));
    expect(plan).toMatchObject({ framework: "nextjs", port: 3000 });
    expect(plan.reason).toBe("found next in package.json dependencies (output: standalone)");
    expect(plan.lines).toEqual(
      expect.arrayContaining([
        "FROM node:20.18.1-alpine AS build",
        "COPY package.json package-lock.json ./",
        "RUN npm ci",
        "RUN npm run build",
        "COPY --from=build --chown=node:node /app/public ./public",
        "COPY --from=build --chown=node:node /app/.next/standalone ./",
        "COPY --from=build --chown=node:node /app/.next/static ./.next/static",
        "USER node",
        "EXPOSE 3000",
        'CMD ["node", "server.js"]',
      ]),
    );
  });

  it("Vite: pnpm from the lockfile, the configured outDir served by non-root nginx on 8080", async () => {
    const plan = generated(await detectBuild(fixture("vite")));
    expect(plan).toMatchObject({ framework: "vite", port: 8080 });
    expect(plan.reason).toBe("found vite in package.json dependencies; serving public-build/");
    expect(plan.lines).toEqual(
      expect.arrayContaining([
        "RUN npm install --global pnpm@9",
        "COPY package.json pnpm-lock.yaml ./",
        "RUN pnpm install --frozen-lockfile",
        "RUN pnpm run build",
        "FROM nginxinc/nginx-unprivileged:1.27.3-alpine",
        "USER nginx",
        "COPY --from=build --chown=nginx:nginx /app/public-build /usr/share/nginx/html",
        "EXPOSE 8080",
      ]),
    );
    // The SPA fallback survives the shell: $uri is single-quoted, so nginx sees it, not sh.
    expect(plan.dockerfile).toContain("'    location / { try_files $uri $uri/ /index.html; }'");
  });

  it("Create React App: yarn classic with a frozen lockfile, build/ served statically", async () => {
    const plan = generated(await detectBuild(fixture("create-react-app")));
    expect(plan).toMatchObject({ framework: "create-react-app", port: 8080 });
    expect(plan.reason).toBe("found react-scripts in package.json dependencies; serving build/");
    expect(plan.lines).toEqual(
      expect.arrayContaining([
        "COPY package.json yarn.lock ./",
        "RUN yarn install --frozen-lockfile",
        "RUN yarn run build",
        "COPY --from=build --chown=nginx:nginx /app/build /usr/share/nginx/html",
      ]),
    );
  });

  it("Node with a start script: the port from the code, prod-only deps, npm start as node", async () => {
    const plan = generated(await detectBuild(fixture("node")));
    expect(plan).toMatchObject({ framework: "node", port: 8080 });
    expect(plan.reason).toBe('found a "start" script in package.json; port 8080 from server.js');
    expect(plan.lines).toEqual(
      expect.arrayContaining([
        "RUN npm ci",
        "RUN npm prune --omit=dev",
        "ENV NODE_ENV=production PORT=8080",
        "USER node",
        "EXPOSE 8080",
        'CMD ["npm", "start"]',
      ]),
    );
    expect(plan.lines).not.toContain("RUN npm run build");
  });

  it("Django: the WSGI module read from manage.py and settings, served by gunicorn as non-root", async () => {
    const plan = generated(await detectBuild(fixture("django")));
    expect(plan).toMatchObject({ framework: "django", port: 8000 });
    expect(plan.reason).toBe(
      "found manage.py; WSGI application bookshelf.wsgi:application from bookshelf.settings",
    );
    expect(plan.lines).toEqual(
      expect.arrayContaining([
        "FROM python:3.12.8-slim",
        "COPY requirements.txt ./",
        "RUN pip install --no-cache-dir -r requirements.txt",
        "RUN pip install --no-cache-dir gunicorn==23.0.0",
        "RUN python manage.py collectstatic --noinput",
        "USER app",
        "EXPOSE 8000",
      ]),
    );
    expect(plan.dockerfile).toContain(
      "gunicorn --bind 0.0.0.0:8000 --access-logfile - bookshelf.wsgi:application",
    );
    expect(plan.dockerfile).not.toMatch(/mysite/);
  });

  it("Django without WSGI_APPLICATION is refused with a clear message, never guessed", async () => {
    expect(await refusal(detectBuild(fixture("django-no-wsgi")))).toBe(
      'found Django settings site_config.settings (site_config/settings.py), but no WSGI_APPLICATION in it; add WSGI_APPLICATION = "<project>.wsgi.application"',
    );
  });

  it("Flask: the Flask() object found in the files, served by gunicorn", async () => {
    const plan = generated(await detectBuild(fixture("flask")));
    expect(plan).toMatchObject({ framework: "flask", port: 8000 });
    expect(plan.reason).toBe("found flask in requirements.txt; app web.server:application in web/server.py");
    expect(plan.lines).toEqual(
      expect.arrayContaining([
        "RUN pip install --no-cache-dir gunicorn==23.0.0",
        'CMD ["gunicorn","--bind","0.0.0.0:8000","--access-logfile","-","web.server:application"]',
        "USER app",
      ]),
    );
  });

  it("FastAPI: the FastAPI() instance found in the files, uvicorn from pyproject dependencies", async () => {
    const plan = generated(await detectBuild(fixture("fastapi")));
    expect(plan).toMatchObject({ framework: "fastapi", port: 8000 });
    expect(plan.reason).toBe("found fastapi in pyproject.toml; app api.main:service in api/main.py");
    expect(plan.lines).toEqual(
      expect.arrayContaining([
        "RUN pip install --no-cache-dir fastapi==0.115.6 'uvicorn[standard]==0.34.0'",
        'CMD ["uvicorn","api.main:service","--host","0.0.0.0","--port","8000","--proxy-headers"]',
        "USER app",
      ]),
    );
    expect(plan.dockerfile).not.toContain("uvicorn==0.34.0\n");
  });

  it("plain static HTML: served as-is by non-root nginx", async () => {
    const plan = generated(await detectBuild(fixture("static")));
    expect(plan).toMatchObject({
      framework: "static",
      port: 8080,
      reason: "found index.html and no application framework",
    });
    expect(plan.lines).toEqual(
      expect.arrayContaining([
        "FROM nginxinc/nginx-unprivileged:1.27.3-alpine",
        "COPY --chown=nginx:nginx . /usr/share/nginx/html",
      ]),
    );
    expect(plan.dockerignore.split("\n")).toEqual(expect.arrayContaining([".git", ".env"]));
  });

  it("an unrecognisable repository gets an error naming what was looked for", async () => {
    const message = await refusal(detectBuild(fixture("unknown")));
    expect(message).toMatch(
      /^could not tell how to build this repository \(it has README\.md, go\.mod, main\.go\)/,
    );
    expect(message).toContain("a compose file (compose.yaml, docker-compose.yml)");
    expect(message).toContain("a Dockerfile");
    expect(message).toContain("manage.py (Django)");
    expect(message).toContain("index.html (static site)");
  });

  it("every generated Dockerfile pins its base images and runs as a non-root user", async () => {
    for (const name of [
      "nextjs",
      "vite",
      "create-react-app",
      "node",
      "django",
      "flask",
      "fastapi",
      "static",
    ]) {
      const plan = generated(await detectBuild(fixture(name)));
      for (const from of plan.lines.filter((l) => l.startsWith("FROM "))) {
        expect(from, name).toMatch(/^FROM [\w./-]+:\d+\.\d+\.\d+-(alpine|slim)( AS build)?$/);
      }
      const finalStage = plan.dockerfile.slice(plan.dockerfile.lastIndexOf("\nFROM "));
      if (name !== "static") expect(finalStage, name).toMatch(/\nUSER (node|nginx|app)\n/);
      expect(plan.dockerfile, name).not.toMatch(/:latest/);
      // Every line is a comment, a continuation or an instruction we mean to use; CMD is exec form.
      const instructions = plan.dockerfile
        .replace(/\\\n/g, " ")
        .split("\n")
        .filter((l) => l && !l.startsWith("#"));
      for (const line of instructions) {
        expect(line, name).toMatch(/^(FROM|WORKDIR|COPY|RUN|ENV|USER|EXPOSE|CMD) \S/);
        if (line.startsWith("CMD ")) expect(Array.isArray(JSON.parse(line.slice(4))), name).toBe(true);
      }
    }
  });
});
