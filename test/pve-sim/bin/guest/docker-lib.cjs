// State and process handling of the guest docker shim. State lives in the guest sandbox
// ($PVE_SIM_GUEST_ROOT/var/lib/docker-sim), so the simulator can kill what the shim started.
const { spawn } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = process.env.PVE_SIM_GUEST_ROOT || process.cwd();
const IP = process.env.PVE_SIM_GUEST_IP || "127.0.0.1";
const STATE = path.join(ROOT, "var", "lib", "docker-sim");
const CONTAINERS = path.join(STATE, "containers");
const LOGS = path.join(STATE, "logs");
const IMAGES = path.join(STATE, "images.json");
fs.mkdirSync(CONTAINERS, { recursive: true });
fs.mkdirSync(LOGS, { recursive: true });

const file = (name) => path.join(CONTAINERS, `${name}.json`);
const now = () => new Date().toISOString();

// A zombie (killed, not yet reaped) counts as gone.
function alive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function load(name) {
  try {
    return JSON.parse(fs.readFileSync(file(name), "utf8"));
  } catch {
    return undefined;
  }
}

function save(c) {
  fs.writeFileSync(file(c.name), JSON.stringify(c, null, 2));
}

function all() {
  return fs
    .readdirSync(CONTAINERS)
    .filter((f) => f.endsWith(".json"))
    .map((f) => load(f.slice(0, -5)))
    .filter(Boolean)
    .map(refresh);
}

// A container whose processes all died is reported as exited, like dockerd would; so is one
// that publishes ports but has no process at all (its guest was restored or cloned from disk).
function refresh(c) {
  if (c.status === "running" && (c.pids.length || c.ports.length) && !c.pids.some(alive)) {
    c.status = "exited";
    c.exitCode = 1;
    c.finishedAt = now();
    save(c);
  }
  return c;
}

function find(ref) {
  return all().find((c) => c.name === ref || c.id.startsWith(ref));
}

function images() {
  try {
    return JSON.parse(fs.readFileSync(IMAGES, "utf8"));
  } catch {
    return {};
  }
}

function saveImage(tag, image) {
  const list = images();
  list[tag.includes(":") ? tag : `${tag}:latest`] = image;
  fs.writeFileSync(IMAGES, JSON.stringify(list, null, 2));
}

function imageOf(ref) {
  const list = images();
  return list[ref] || list[`${ref}:latest`];
}

// A program the image runs that the sandbox has: node and npm run the app's own code.
const RUNNABLE = new Set(["node", "npm", "sh", "/bin/sh", "bash"]);

// The argv a container runs: its own command when the sandbox holds the program or script
// (a built image's files, a built context or compose `command:`), else the stand-in HTTP
// server. A built nginx image serves its html folder with the stand-in's static mode.
function appArgv(c) {
  const image = imageOf(c.image);
  const argv = c.command?.length ? c.command : image?.cmd;
  if (image?.fs) {
    const cwd = path.join(image.fs, image.workdir || "/");
    if (argv?.length && (RUNNABLE.has(argv[0]) || fs.existsSync(path.join(image.fs, argv[0]))))
      return {
        argv:
          argv[0].startsWith("/") && !RUNNABLE.has(argv[0])
            ? [path.join(image.fs, argv[0]), ...argv.slice(1)]
            : argv,
        cwd,
        env: image.env,
      };
    const html = path.join(image.fs, "usr", "share", "nginx", "html");
    if (/nginx/.test(image.base || "") && fs.existsSync(html)) return { static: html, env: image.env };
  }
  const dir = c.context || image?.context;
  if (!argv?.length || !dir) return undefined;
  const inContext = argv.some(
    (a) =>
      !a.startsWith("-") && fs.existsSync(path.resolve(dir, a)) && fs.statSync(path.resolve(dir, a)).isFile(),
  );
  return inContext ? { argv, cwd: dir } : undefined;
}

function startProcesses(c) {
  const log = fs.openSync(path.join(LOGS, `${c.name}.log`), "a");
  // Each process writes through log-stamp.cjs, which records when each line was written.
  const stamped = (argv) => [
    path.join(__dirname, "log-stamp.cjs"),
    path.join(LOGS, `${c.name}.log`),
    ...argv,
  ];
  c.pids = [];
  const ports = c.ports.length ? c.ports : [];
  const app = appArgv(c);
  for (const p of ports) {
    // The app sees the image's ENV, then the run's, as in a container; PORT and HOST then point
    // at the published port on the guest address, the simulator's stand-in for port mapping.
    const env = {
      ...process.env,
      ...(app?.env || {}),
      ...c.env,
      PORT: String(p.host),
      HOST: IP,
      SERVICE_NAME: c.service || c.name,
    };
    const child = app?.argv
      ? spawn(process.execPath, stamped(app.argv), {
          cwd: app.cwd,
          env,
          detached: true,
          stdio: ["ignore", log, log],
        })
      : spawn(
          process.execPath,
          stamped([
            process.execPath,
            path.join(__dirname, "http-service.cjs"),
            IP,
            String(p.host),
            c.service || c.name,
            ...(app?.static ? [app.static] : []),
          ]),
          { env, detached: true, stdio: ["ignore", log, log] },
        );
    child.unref();
    c.pids.push(child.pid);
  }
  c.status = "running";
  c.startedAt = now();
  c.exitCode = 0;
  save(c);
}

function stopProcesses(c) {
  for (const pid of c.pids || []) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  }
  c.pids = [];
  c.status = "exited";
  c.exitCode = 137;
  c.finishedAt = now();
  save(c);
}

function remove(c) {
  if (c.status === "running") stopProcesses(c);
  fs.rmSync(file(c.name), { force: true });
  fs.rmSync(path.join(LOGS, `${c.name}.log`), { force: true });
}

/** Parses "8080:80", "127.0.0.1:8080:80/tcp" or 80 into {host, container}. */
function parsePort(spec) {
  const text = String(typeof spec === "object" ? `${spec.published}:${spec.target}` : spec).replace(
    /\/(tcp|udp)$/,
    "",
  );
  const parts = text.split(":");
  const container = Number(parts.at(-1));
  const host = parts.length >= 2 ? Number(parts.at(-2)) : container;
  return { host, container };
}

function create(opts) {
  const id = crypto.randomBytes(32).toString("hex");
  const c = {
    id,
    name: opts.name || `sim_${id.slice(0, 8)}`,
    image: opts.image,
    command: opts.command || [],
    env: opts.env || {},
    ports: (opts.ports || []).map(parsePort),
    restart: opts.restart || "no",
    labels: opts.labels || {},
    service: opts.service,
    project: opts.project,
    context: opts.context,
    healthcheck: Boolean(opts.healthcheck),
    created: now(),
    status: "created",
    pids: [],
  };
  save(c);
  return c;
}

module.exports = {
  IP,
  STATE,
  LOGS,
  all,
  create,
  find,
  imageOf,
  images,
  load,
  parsePort,
  remove,
  save,
  saveImage,
  startProcesses,
  stopProcesses,
};
