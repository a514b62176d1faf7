import { describe, expect, it } from "vitest";
import { planBuild, readyPlan } from "./detect.ts";
import { memoryRepoFiles } from "./repo-files.ts";
import { generated, refusal } from "./testing.ts";

const js = (
  deps: Record<string, string>,
  scripts: Record<string, string> = { build: "x", start: "x" },
  files: Record<string, string> = {},
) =>
  memoryRepoFiles({
    "package.json": JSON.stringify({ dependencies: deps, scripts }),
    "package-lock.json": "{}",
    ...files,
  });

describe("frameworks users deploy from Git", () => {
  it("servers: NestJS, Nuxt, SvelteKit (node adapter), React Router, Astro server; with their start commands", async () => {
    const nest = await generated(
      js(
        { "@nestjs/core": "^11" },
        { build: "nest build", start: "nest start", "start:prod": "node dist/main" },
      ),
    );
    expect(nest).toMatchObject({ framework: "nestjs", commands: { start: "npm run start:prod" } });
    const nuxt = await generated(js({ nuxt: "^4" }));
    expect(nuxt).toMatchObject({ framework: "nuxt", commands: { start: "node .output/server/index.mjs" } });
    const kit = await generated(
      js(
        { "@sveltejs/kit": "^2", "@sveltejs/adapter-node": "^5" },
        { build: "vite build" },
        {
          "svelte.config.js":
            "import adapter from '@sveltejs/adapter-node';\nexport default { kit: { adapter: adapter() } };\n",
        },
      ),
    );
    expect(kit).toMatchObject({ framework: "sveltekit", commands: { start: "node build" } });
    const rr = await generated(
      js(
        { "@react-router/dev": "^7", "@react-router/serve": "^7" },
        { build: "react-router build", start: "react-router-serve ./build/server/index.js" },
      ),
    );
    expect(rr).toMatchObject({ framework: "react-router", commands: { start: "npm start" } });
    // react-router-serve is a dependency, so the prune keeps it; a start script of a devDependency keeps dev deps.
    const astro = await generated(
      js(
        { astro: "^5", "@astrojs/node": "^9" },
        { build: "astro build" },
        {
          "astro.config.mjs":
            "import node from '@astrojs/node';\nexport default { output: 'server', adapter: node({ mode: 'standalone' }) };\n",
        },
      ),
    );
    expect(astro).toMatchObject({
      framework: "astro",
      port: 4321,
      commands: { start: "node dist/server/entry.mjs" },
    });
  });

  it("a SvelteKit app on another platform's adapter gets a clear message", async () => {
    const message = await refusal(
      js(
        { "@sveltejs/kit": "^2", "@sveltejs/adapter-auto": "^6" },
        { build: "vite build" },
        {
          "svelte.config.js":
            "import adapter from '@sveltejs/adapter-auto';\nexport default { kit: { adapter: adapter() } };\n",
        },
      ),
    );
    expect(message).toContain("using @sveltejs/adapter-auto");
    expect(message).toContain("install @sveltejs/adapter-node");
  });

  it("static builds: Angular, Docusaurus, Eleventy, Astro static, Vue CLI served by nginx", async () => {
    const angular = await generated(
      js(
        { "@angular/core": "^20" },
        { build: "ng build" },
        {
          "angular.json": JSON.stringify({
            projects: {
              shop: {
                architect: {
                  build: { builder: "@angular/build:application", options: { outputPath: "dist/shop" } },
                },
              },
            },
          }),
        },
      ),
    );
    expect(angular.lines).toContain(
      "COPY --from=build --chown=nginx:nginx /app/dist/shop/browser /usr/share/nginx/html",
    );
    for (const [dep, dir] of [
      ["@docusaurus/core", "build"],
      ["@11ty/eleventy", "_site"],
      ["astro", "dist"],
      ["@vue/cli-service", "dist"],
    ]) {
      const plan = await generated(js({ [dep!]: "^3" }, { build: "b" }));
      expect(plan.lines, dep).toContain(
        `COPY --from=build --chown=nginx:nginx /app/${dir} /usr/share/nginx/html`,
      );
      expect(plan.port).toBe(8080);
    }
  });

  it("Node servers by dependency; fastify-cli told to listen on every interface", async () => {
    const fastify = await generated(
      js({ fastify: "^5", "fastify-cli": "^7" }, { start: "fastify start -l info app.js" }),
    );
    expect(fastify).toMatchObject({ framework: "fastify", port: 3000 });
    expect(fastify.dockerfile).toContain("FASTIFY_ADDRESS=0.0.0.0");
    const hono = await generated(
      js({ hono: "^4", "@hono/node-server": "^1" }, { start: "node dist/index.js", build: "tsc" }),
    );
    expect(hono.framework).toBe("hono");
    const dev = await generated(js({ express: "^5" }, { start: "nodemon server.js" }));
    expect(dev.warnings[0]).toContain("development server (nodemon)");
  });

  it("Go: the root main package built static, run as nobody on $PORT", async () => {
    const plan = await generated(
      memoryRepoFiles({
        "go.mod": "module x\n\ngo 1.24\n",
        "go.sum": "",
        "main.go": 'package main\nfunc main() { http.ListenAndServe(":"+os.Getenv("PORT"), nil) }\n',
      }),
    );
    expect(plan).toMatchObject({
      framework: "go",
      port: 8080,
      runtime: { version: "1.25", image: "golang:1.25-bookworm" },
    });
  });

  it("Hugo: built with Debian's hugo, public/ served; the theme submodule noted", async () => {
    const plan = await generated(
      memoryRepoFiles({
        "hugo.toml": 'baseURL = "https://example.org/"\ntheme = "ananke"\n',
        "content/_index.md": "# hi",
        ".gitmodules": "[submodule]",
      }),
    );
    expect(plan.framework).toBe("hugo");
    expect(plan.lines).toContain("COPY --from=build --chown=nginx:nginx /app/public /usr/share/nginx/html");
    expect(plan.warnings.join("\n")).toContain("theme is a git submodule");
  });

  it("user overrides: commands and port reach the Dockerfile exactly", async () => {
    const plan = await generated(js({ express: "^5" }, { start: "node server.js" }), {
      installCommand: "npm install --omit=optional",
      buildCommand: "npm run compile",
      startCommand: "node dist/server.js --quiet",
      port: 9000,
    });
    expect(plan.lines).toEqual(
      expect.arrayContaining([
        "RUN npm install --omit=optional",
        "RUN npm run compile",
        "EXPOSE 9000",
        'CMD ["sh","-c","node dist/server.js --quiet"]',
      ]),
    );
    expect(plan.env.PORT).toBe("9000");
  });

  it("refusals name what was found", async () => {
    const plan = await planBuild(
      memoryRepoFiles({ "requirements.txt": "requests\n", "script.py": "print(1)" }),
    );
    expect(plan.refused).toBe(
      'found a Python project (requirements.txt) without Django, Flask or FastAPI; add a Procfile with "web: <command>" or set the start command',
    );
    expect(plan.found).toEqual(["requirements.txt"]);
    expect(
      (
        await readyPlan(memoryRepoFiles({ "requirements.txt": "requests\n" }), {
          startCommand: "python main.py",
        })
      ).commands.start,
    ).toBe("python main.py");
  });
});
