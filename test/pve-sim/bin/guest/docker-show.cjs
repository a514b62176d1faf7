// Read-only commands of the guest docker shim: ps, inspect, logs.
const fs = require("node:fs");
const path = require("node:path");
const lib = require("./docker-lib.cjs");
const { takeOpts } = require("./docker-opts.cjs");

const out = (s) => process.stdout.write(s);
const die = (s, code = 1) => {
  process.stderr.write(s.endsWith("\n") ? s : `${s}\n`);
  process.exit(code);
};

function statusText(c) {
  if (c.status === "running") return "Up 1 second";
  if (c.status === "created") return "Created";
  return `Exited (${c.exitCode}) 1 second ago`;
}

function portsText(c) {
  return c.ports.map((p) => `${lib.IP}:${p.host}->${p.container}/tcp`).join(", ");
}

function ps(args) {
  const o = takeOpts(args, new Set(["--format", "--filter", "-f"]));
  const list = lib.all().filter((c) => o["-a"] || o["--all"] || c.status === "running");
  const fmt = (o.multi["--format"] || [])[0];
  if (o["-q"] || o["--quiet"]) {
    for (const c of list) out(`${c.id.slice(0, 12)}\n`);
    return;
  }
  if (fmt) {
    for (const c of list) {
      const row = {
        ID: c.id.slice(0, 12),
        Image: c.image,
        Names: c.name,
        State: c.status,
        Status: statusText(c),
        Ports: portsText(c),
        Command: JSON.stringify((c.command || []).join(" ")),
      };
      out(
        `${fmt === "{{json .}}" || fmt === "json" ? JSON.stringify(row) : fmt.replace(/\{\{\.(\w+)\}\}/g, (_, k) => row[k] ?? "")}\n`,
      );
    }
    return;
  }
  out("CONTAINER ID   IMAGE          COMMAND   CREATED         STATUS          PORTS     NAMES\n");
  for (const c of list)
    out(
      `${c.id.slice(0, 12)}   ${c.image.padEnd(14)} "..."     1 second ago    ${statusText(c).padEnd(15)} ${portsText(c)}   ${c.name}\n`,
    );
}

function inspect(names) {
  const found = names.map((n) => lib.find(n));
  const missing = names.find((_n, i) => !found[i]);
  const data = found.filter(Boolean).map((c) => ({
    Id: c.id,
    Created: c.created,
    Name: `/${c.name}`,
    State: {
      Status: c.status,
      Running: c.status === "running",
      Pid: c.pids[0] || 0,
      ExitCode: c.exitCode || 0,
      StartedAt: c.startedAt || "0001-01-01T00:00:00Z",
      FinishedAt: c.finishedAt || "0001-01-01T00:00:00Z",
      ...(c.healthcheck
        ? { Health: { Status: c.status === "running" ? "healthy" : "unhealthy", FailingStreak: 0, Log: [] } }
        : {}),
    },
    Config: {
      Image: c.image,
      Env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
      Cmd: c.command,
      Labels: c.labels,
    },
    HostConfig: { RestartPolicy: { Name: c.restart } },
    NetworkSettings: {
      Ports: Object.fromEntries(
        c.ports.map((p) => [`${p.container}/tcp`, [{ HostIp: lib.IP, HostPort: String(p.host) }]]),
      ),
    },
  }));
  out(`${JSON.stringify(data, null, 4)}\n`);
  if (missing) die(`Error: No such object: ${missing}`);
}

/** The last `tail` lines of a log text ("all" or undefined: everything). */
function tailOf(text, tail) {
  if (tail === undefined || tail === "all") return text;
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const kept = Number(tail) > 0 ? lines.slice(-Number(tail)) : [];
  return kept.length ? `${kept.join("\n")}\n` : "";
}

/**
 * Prints each log's tail, then (follow) new lines as they are written, like `docker logs -f`:
 * runs until killed. `logs` is a list of { file, prefix }. Lines are stored with the time they
 * were written (log-stamp.cjs); it is shown only with `timestamps`, after the prefix, like
 * `docker compose logs --timestamps` shows it.
 */
function printLogs(logs, tail, follow, timestamps = false) {
  const show = (text, prefix) =>
    text.replace(/^(?=.)(\d{4}-\d\d-\d\dT\S+Z )?/gm, (_m, at) => `${prefix}${timestamps && at ? at : ""}`);
  const offsets = new Map();
  const read = (file) => {
    try {
      return fs.readFileSync(file);
    } catch {
      return Buffer.alloc(0);
    }
  };
  for (const { file, prefix } of logs) {
    const buf = read(file);
    offsets.set(file, buf.length);
    out(show(tailOf(buf.toString("utf8"), tail), prefix));
  }
  if (!follow) return;
  setInterval(() => {
    for (const { file, prefix } of logs) {
      const buf = read(file);
      const from = offsets.get(file) ?? 0;
      if (buf.length <= from) continue;
      offsets.set(file, buf.length);
      out(show(buf.subarray(from).toString("utf8"), prefix));
    }
  }, 100);
}

function logs(args) {
  const o = takeOpts(args, new Set(["--tail", "-n", "--since"]));
  const c = lib.find(o._[0] || "");
  if (!c) die(`Error response from daemon: No such container: ${o._[0]}`);
  const tail = (o.multi["--tail"] || o.multi["-n"] || [])[0];
  printLogs(
    [{ file: path.join(lib.LOGS, `${c.name}.log`), prefix: "" }],
    tail,
    !!(o["-f"] || o["--follow"]),
    !!(o["-t"] || o["--timestamps"]),
  );
}

module.exports = { inspect, logs, printLogs, ps };
