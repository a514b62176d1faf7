import { mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "../src/guests/runtime.ts";
import { sandboxDir } from "../src/guests/sandbox.ts";
import { type Sim, startSimulator } from "../src/index.ts";
import { runPct } from "../src/shell/pct.ts";
import { control, createCt, run, eventually as waitFor } from "./client.ts";

let sim: Sim;
let ip: string;

async function sh(script: string): Promise<{ code: number; out: string; err: string }> {
  const stdin = new PassThrough();
  stdin.end();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const code = await runPct(sim.world, ["exec", "101", "--", "bash", "-c", script], {
    stdin,
    stdout,
    stderr,
  });
  await new Promise((r) => setImmediate(r));
  return { code, out, err };
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(body));
    })
      .on("error", reject)
      .end();
  });
}

async function eventually(url: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    try {
      return await get(url);
    } catch {
      await new Promise((r) => setTimeout(r, 30));
    }
  }
  return get(url);
}

function app(): string {
  const dir = join(sandboxDir(sim.world, sim.world.guests.get(101)!), "opt", "app");
  mkdirSync(dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
  await createCt(sim, 101, { features: "nesting=1" });
  await run(sim, "POST", "/nodes/pve/lxc/101/status/start");
  ip = sim.world.guests.get(101)!.address;
});
afterAll(() => sim.stop());

describe("docker shim in a guest", () => {
  it("runs hello-world", async () => {
    const r = await sh("docker run hello-world");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Hello from Docker!");
  });

  it("answers `docker compose version` without a compose file, as the plugin does", async () => {
    const r = await sh("cd / && docker compose version");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Docker Compose version v2\./);
  });

  it("starts one process per published port on the guest address, with ps/logs/inspect/stop/rm", async () => {
    writeFileSync(
      join(app(), "compose.yml"),
      'services:\n  web:\n    image: nginx:latest\n    ports:\n      - "8080:80"\n    restart: unless-stopped\n',
    );
    const up = await sh('cd "$PVE_SIM_GUEST_ROOT/opt/app" && docker compose up -d');
    expect(up.code).toBe(0);
    expect(up.err).toContain("Container app-web-1  Started");
    expect(await eventually(`http://${ip}:8080/`)).toBe("pve-sim service web\n");
    const ps = await sh("docker ps --format '{{.Names}} {{.State}}'");
    expect(ps.out).toBe("app-web-1 running\n");
    const inspect = JSON.parse((await sh("docker inspect app-web-1")).out);
    expect(inspect[0].State.Running).toBe(true);
    expect(inspect[0].NetworkSettings.Ports["80/tcp"][0].HostPort).toBe("8080");
    expect((await sh("docker logs app-web-1")).out).toContain(`web listening on ${ip}:8080`);
    expect((await sh("docker logs --tail 1 app-web-1")).out).toMatch(/^\S+ GET \/\n$/);
    const composeLogs = await sh(
      'cd "$PVE_SIM_GUEST_ROOT/opt/app" && docker compose logs --no-color --tail 1',
    );
    expect(composeLogs.out).toMatch(/^app-web-1 {2}\| \S+ GET \/\n$/);
    // With --timestamps, each line carries the time it was written, as dockerd recorded it.
    const stamped = (await sh("docker logs --timestamps --tail 1 app-web-1")).out;
    const at = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) \S+ GET \/\n$/.exec(stamped)?.[1];
    expect(at, stamped).toBeDefined();
    expect(Math.abs(Date.now() - Date.parse(at!.replace(/(\.\d{3})\d+/, "$1")))).toBeLessThan(60_000);
    expect(
      (await sh('cd "$PVE_SIM_GUEST_ROOT/opt/app" && docker compose logs --no-color --timestamps --tail 1'))
        .out,
    ).toBe(`app-web-1  | ${stamped}`);
    const rm = await sh("docker rm app-web-1");
    expect(rm.code).toBe(1);
    expect(rm.err).toContain("container is running");
    expect((await sh("docker stop app-web-1")).code).toBe(0);
    await expect(get(`http://${ip}:8080/`)).rejects.toThrow();
    expect((await sh("docker rm app-web-1")).code).toBe(0);
  });

  it("fails docker build on an invalid Dockerfile", async () => {
    writeFileSync(join(app(), "Dockerfile"), "FROM debian:12\nRUNN echo hi\n");
    const r = await sh('cd "$PVE_SIM_GUEST_ROOT/opt/app" && docker build -t bad .');
    expect(r.code).toBe(1);
    expect(r.err).toContain("dockerfile parse error on line 2: unknown instruction: RUNN");
  });

  it("runs the app's own command when the sandbox holds it", async () => {
    const dir = app();
    writeFileSync(
      join(dir, "server.js"),
      "require('http').createServer((q,s)=>s.end('my app')).listen(Number(process.env.PORT), process.env.HOST);\n",
    );
    writeFileSync(
      join(dir, "Dockerfile"),
      'FROM node:20-slim\nCOPY server.js .\nCMD ["node", "server.js"]\n',
    );
    writeFileSync(
      join(dir, "compose.yml"),
      'services:\n  api:\n    build: .\n    ports:\n      - "9090:3000"\n',
    );
    const up = await sh('cd "$PVE_SIM_GUEST_ROOT/opt/app" && docker compose up -d --build');
    expect(up.code).toBe(0);
    expect(await eventually(`http://${ip}:9090/`)).toBe("my app");
  });

  it("builds multi-stage images: COPY --from an earlier stage, a package.json build script, WORKDIR, ENV and CMD", async () => {
    const dir = join(app(), "multi");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        scripts: { build: "mkdir -p dist && cp src/server.js dist/server.js", start: "node dist/server.js" },
      }),
    );
    writeFileSync(
      join(dir, "src", "server.js"),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the app's own source, with its template literal
      "require('http').createServer((q,s)=>s.end(`${process.env.GREETING} from ${process.env.NODE_ENV} ${process.env.SECRET}`)).listen(Number(process.env.PORT), process.env.HOST);\n",
    );
    writeFileSync(
      join(dir, "Dockerfile"),
      [
        "FROM node:24-bookworm-slim AS build",
        "WORKDIR /app",
        "COPY package.json ./",
        "RUN npm ci",
        "COPY . .",
        "RUN npm run build",
        "",
        "FROM node:24-bookworm-slim",
        "WORKDIR /app",
        'ENV NODE_ENV=production GREETING="hello there"',
        "COPY --from=build /app/dist ./dist",
        "COPY --from=build /app/package.json ./",
        'CMD ["npm", "start"]',
      ].join("\n"),
    );
    writeFileSync(join(dir, "app.env"), "# secrets\nSECRET=s3 cr=et\n");
    const built = await sh('cd "$PVE_SIM_GUEST_ROOT/opt/app/multi" && docker build -t multi:1 .');
    expect(built.code, built.err).toBe(0);
    const r = await sh(
      'cd "$PVE_SIM_GUEST_ROOT/opt/app/multi" && docker run -d --name multi --env-file app.env -p 9191:3000 multi:1',
    );
    expect(r.code, r.err).toBe(0);
    expect(await eventually(`http://${ip}:9191/`)).toBe("hello there from production s3 cr=et");
    expect((await sh("docker rm -f multi")).code).toBe(0);
  });

  it("refuses COPY --from a path the stage does not have, and an ENV before the first FROM", async () => {
    const dir = join(app(), "bad-multi");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "Dockerfile"),
      "FROM node:24 AS build\nWORKDIR /app\n\nFROM node:24\nCOPY --from=build /app/.next/standalone ./\n",
    );
    const r = await sh('cd "$PVE_SIM_GUEST_ROOT/opt/app/bad-multi" && docker build -t bad-multi .');
    expect(r.code).toBe(1);
    expect(r.err).toContain('"/app/.next/standalone": not found');
    writeFileSync(join(dir, "Dockerfile"), "ENV A=1\nFROM node:24\n");
    const env = await sh('cd "$PVE_SIM_GUEST_ROOT/opt/app/bad-multi" && docker build -t bad-multi .');
    expect(env.err).toContain("no build stage in current context");
  });

  it("kills container processes when the guest stops, and nothing is left after", async () => {
    const before = await control(sim, "GET", "/state");
    expect(before.processes.filter((p: { kind: string }) => p.kind === "container")).toHaveLength(1);
    await run(sim, "POST", "/nodes/pve/lxc/101/status/stop");
    await expect(get(`http://${ip}:9090/`)).rejects.toThrow();
    const state = await control(sim, "GET", "/state");
    expect(state.processes).toEqual([]);
  });

  it("stops every process it started when the simulator stops", async () => {
    await run(sim, "POST", "/nodes/pve/lxc/101/status/start");
    const up = await sh('cd "$PVE_SIM_GUEST_ROOT/opt/app" && docker compose up -d');
    expect(up.code).toBe(0);
    await eventually(`http://${ip}:9090/`);
    const pids: number[] = (await control(sim, "GET", "/state")).processes.map((p: { pid: number }) => p.pid);
    expect(pids.length).toBeGreaterThan(0);
    await sim.stop();
    await waitFor(() => pids.filter(isAlive).length === 0, "the app processes to end");
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
