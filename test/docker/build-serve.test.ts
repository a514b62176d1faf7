// The real-Docker tier: every fixture repository's plan is built with Debian's docker.io (the
// engine Pylon installs in guests, legacy builder) and the image is run and health-checked, as
// the deploy pipeline would. Base images come from test/docker/base-images.sh (a cached step of
// scripts/test.sh), tagged as the real ones; generated Dockerfiles stay valid for the real images.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBuild } from "../../packages/agent/src/deploy/build/detect.ts";
import { directoryRepoFiles } from "../../packages/agent/src/deploy/build/repo-files.ts";
import { DOCKERD, type Dockerd, removeDockerdDir, startDockerd } from "./dockerd.ts";

/** This machine's own CA certificates (its TLS-inspecting egress): builds reach the npm registry through it. */
const HOST_CAS = "/usr/local/share/ca-certificates";

const CACHE = process.env.PYLON_DOCKER_CACHE ?? "/var/cache/pylon-test/docker-tier";
const FIXTURES = fileURLToPath(new URL("../fixtures/repos/", import.meta.url));

/** The base images, tagged as the real ones, with the real images' config. */
const BASES: { tar: string; tags: string[]; changes: string[] }[] = [
  ...["24", "22"].map((v) => ({
    tar: `node-${v}.tar`,
    tags: [`node:${v}-bookworm-slim`],
    changes: [
      "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      // corepack fetches Yarn and pnpm from the npm registry here (its default host is unreachable).
      "ENV COREPACK_NPM_REGISTRY=https://registry.npmjs.org COREPACK_INTEGRITY_KEYS=0",
      'CMD ["node"]',
    ],
  })),
  {
    tar: "python-3.13.tar",
    tags: ["python:3.13-slim"],
    changes: [
      "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8",
      'CMD ["python3"]',
    ],
  },
  {
    tar: "nginx-unprivileged.tar",
    tags: ["nginxinc/nginx-unprivileged:1.28.0"],
    changes: ["USER 101", "EXPOSE 8080", 'CMD ["nginx", "-g", "daemon off;"]'],
  },
  { tar: "debian-bookworm.tar", tags: ["debian:bookworm-slim"], changes: ['CMD ["bash"]'] },
  { tar: "debian-trixie.tar", tags: ["debian:trixie-slim"], changes: ['CMD ["bash"]'] },
];

/** Each fixture, what it is planned as, and what its page says once it runs. */
const CASES: { repo: string; framework: string; says: string }[] = [
  { repo: "node-plain", framework: "node", says: "Hello from plain Node" },
  { repo: "express-npm", framework: "express", says: "Hello from Express" },
  { repo: "fastify-pnpm", framework: "fastify", says: "Hello from Fastify" },
  { repo: "koa-yarn", framework: "koa", says: "Hello from Koa" },
  { repo: "static-html", framework: "static", says: "Hello from a static site" },
  { repo: "vite-npm", framework: "vite", says: '<div id="app"></div>' },
  { repo: "eleventy-npm", framework: "eleventy", says: "Hello from Eleventy" },
  { repo: "hugo-site", framework: "hugo", says: "Hello from Hugo." },
  { repo: "flask-pip", framework: "flask", says: "Hello from Flask" },
  { repo: "django-sqlite", framework: "django", says: "Hello from Django" },
  { repo: "fastapi-pyproject", framework: "fastapi", says: "Hello from FastAPI" },
  { repo: "nextjs-standalone", framework: "nextjs", says: "Hello from Next.js" },
];

const ready =
  process.getuid?.() === 0 && existsSync(DOCKERD) && BASES.every((b) => existsSync(join(CACHE, b.tar)));
const results: string[] = [];
let engine: Dockerd;
const dir = mkdtempSync(join(tmpdir(), "pylon-docker-tier-"));

/** GET http://127.0.0.1:<port>/ inside the container's own network namespace (it has no other network). */
function getInside(pid: number, port: number, host: string) {
  return new Promise<{ status: number; body: string }>((resolve) => {
    execFile(
      "nsenter",
      [
        "-t",
        String(pid),
        "-n",
        "curl",
        "-sS",
        "-m",
        "5",
        "-H",
        `Host: ${host}`,
        "-w",
        "\n%{http_code}",
        `http://127.0.0.1:${port}/`,
      ],
      { timeout: 10_000 },
      (_err, stdout) => {
        const at = stdout.lastIndexOf("\n");
        resolve({ status: Number(stdout.slice(at + 1)) || 0, body: stdout.slice(0, at) });
      },
    );
  });
}

beforeAll(async () => {
  if (!ready) return;
  engine = await startDockerd(join(dir, "engine"));
  for (const base of BASES) {
    const [first, ...more] = base.tags;
    const r = await engine.docker(
      ["import", ...base.changes.flatMap((c) => ["--change", c]), join(CACHE, base.tar), first!],
      { timeoutMs: 300_000 },
    );
    if (r.code !== 0) throw new Error(`docker import ${base.tar}: ${r.stderr}`);
    for (const tag of more) await engine.docker(["tag", first!, tag]);
  }
  // Like any machine behind such a proxy, the images that fetch packages trust its CA too.
  const cas = existsSync(HOST_CAS) ? readdirSync(HOST_CAS).filter((f) => f.endsWith(".crt")) : [];
  if (cas.length === 0) return;
  const ctx = join(dir, "host-ca");
  mkdirSync(ctx, { recursive: true });
  for (const f of cas) cpSync(join(HOST_CAS, f), join(ctx, f));
  for (const tag of ["node:24-bookworm-slim", "node:22-bookworm-slim", "python:3.13-slim"]) {
    writeFileSync(
      join(ctx, "Dockerfile"),
      `FROM ${tag}\nCOPY *.crt /usr/local/share/ca-certificates/\nRUN update-ca-certificates\nENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt\n`,
    );
    const r = await engine.docker(["build", "-t", tag, ctx]);
    if (r.code !== 0) throw new Error(`adding the host's CA to ${tag}: ${r.stderr}`);
  }
}, 900_000);

afterAll(async () => {
  if (!ready) return;
  const ps = await engine.docker(["ps", "-aq"]);
  const ids = ps.stdout.split("\n").filter(Boolean);
  if (ids.length) await engine.docker(["rm", "-f", ...ids]);
  await engine.stop();
  await removeDockerdDir(dir);
  // The figure the issue asks for, in the run's output.
  console.log(
    `docker tier: ${results.filter((r) => r.endsWith("serves")).length} of ${CASES.length} fixtures build and serve\n${results.join("\n")}`,
  );
}, 120_000);

describe.skipIf(!ready)("generated Dockerfiles build with real Docker and serve", () => {
  for (const c of CASES) {
    it(`${c.repo}: plans as ${c.framework}, builds, runs and answers its health check`, async () => {
      const context = join(dir, c.repo);
      cpSync(join(FIXTURES, c.repo), context, { recursive: true });
      const plan = await planBuild(directoryRepoFiles(context));
      expect(plan.refused).toBeNull();
      expect(plan.framework).toBe(c.framework);
      writeFileSync(join(context, "Dockerfile.pylon"), plan.dockerfile!);
      if (!existsSync(join(context, ".dockerignore")))
        writeFileSync(join(context, ".dockerignore"), plan.dockerignore!);
      const tag = `pylon-fixture-${c.repo}:test`;
      const started = Date.now();
      const built = await engine.docker(
        ["build", "--network", "host", "-f", join(context, "Dockerfile.pylon"), "-t", tag, context],
        { timeoutMs: 900_000 },
      );
      if (built.code !== 0) results.push(`${c.repo}: build failed`);
      expect(built.code, `${built.stdout.slice(-3000)}\n${built.stderr.slice(-3000)}`).toBe(0);
      const buildSeconds = Math.round((Date.now() - started) / 1000);
      // Run as the pipeline does: PORT, HOST and the route's host name in the environment.
      const host = `${c.repo}.pylon.test`;
      const env = { ...plan.env, PORT: String(plan.port), HOST: "0.0.0.0", PYLON_ALLOWED_HOSTS: host };
      const envFile = join(context, ".pylon-app.env");
      writeFileSync(
        envFile,
        `${Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join("\n")}\n`,
      );
      const run = await engine.docker([
        "run",
        "-d",
        "--network",
        "none",
        "--env-file",
        envFile,
        "--name",
        `fx-${c.repo}`,
        tag,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const pid = Number(
        (await engine.docker(["inspect", "-f", "{{.State.Pid}}", `fx-${c.repo}`])).stdout.trim(),
      );
      let answer = { status: 0, body: "" };
      for (let i = 0; i < 120 && !(answer.status >= 200 && answer.status < 400); i++) {
        await new Promise((r) => setTimeout(r, 500));
        answer = await getInside(pid, plan.port!, host);
      }
      const logs = await engine.docker(["logs", "--tail", "40", `fx-${c.repo}`]);
      await engine.docker(["rm", "-f", `fx-${c.repo}`]);
      results.push(
        `${c.repo}: built in ${buildSeconds} s, answered ${answer.status}${answer.status === 200 && answer.body.includes(c.says) ? ", serves" : ""}`,
      );
      expect(answer.status, `${logs.stdout}\n${logs.stderr}`).toBe(200);
      expect(answer.body).toContain(c.says);
    }, 900_000);
  }
});
