// Entry point of the guest `docker` shim: docker run/ps/logs/inspect/stop/start/rm/build/
// pull/images/exec/version and `docker compose` (see docker-compose.cjs).
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const lib = require("./docker-lib.cjs");
const { build } = require("./docker-build.cjs");

const HELLO = `
Hello from Docker!
This message shows that your installation appears to be working correctly.

To generate this message, Docker took the following steps:
 1. The Docker client contacted the Docker daemon.
 2. The Docker daemon pulled the "hello-world" image from the Docker Hub.
    (amd64)
 3. The Docker daemon created a new container from that image which runs the
    executable that produces the output you are currently reading.
 4. The Docker daemon streamed that output to the Docker client, which sent it
    to your terminal.
`;

const out = (s) => process.stdout.write(s);
const err = (s) => process.stderr.write(s);
const die = (s, code = 1) => {
  err(s.endsWith("\n") ? s : `${s}\n`);
  process.exit(code);
};

function takeOpts(args, withValue) {
  const opts = { _: [], multi: {} };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("-") || a === "-") break;
    const [flag, inline] = a.split(/=(.*)/s);
    if (withValue.has(flag)) {
      const v = inline !== undefined ? inline : args[++i];
      opts.multi[flag] = opts.multi[flag] || [];
      opts.multi[flag].push(v);
    } else opts[flag] = true;
  }
  opts._ = args.slice(i);
  return opts;
}

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

function run(args) {
  const o = takeOpts(
    args,
    new Set([
      "--name",
      "-p",
      "--publish",
      "-e",
      "--env",
      "--restart",
      "-v",
      "--volume",
      "--network",
      "--label",
      "-l",
      "-w",
      "--workdir",
      "--entrypoint",
      "--env-file",
      "--health-cmd",
    ]),
  );
  const [image, ...command] = o._;
  if (!image) die('"docker run" requires at least 1 argument.');
  if (image === "hello-world" || image.startsWith("hello-world:")) {
    if (!o["-d"] && !o["--detach"]) out(HELLO);
    return;
  }
  const name = (o.multi["--name"] || [])[0];
  if (name && lib.load(name))
    die(
      `docker: Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${lib.load(name).id}". You have to remove (or rename) that container to be able to reuse that name.`,
      125,
    );
  const env = {};
  for (const e of [...(o.multi["-e"] || []), ...(o.multi["--env"] || [])]) {
    const [k, v] = e.split(/=(.*)/s);
    env[k] = v ?? process.env[k] ?? "";
  }
  const c = lib.create({
    name,
    image,
    command,
    env,
    ports: [...(o.multi["-p"] || []), ...(o.multi["--publish"] || [])],
    restart: (o.multi["--restart"] || [])[0],
    healthcheck: Boolean(o.multi["--health-cmd"]),
  });
  lib.startProcesses(c);
  if (o["-d"] || o["--detach"]) out(`${c.id}\n`);
}

function logs(args) {
  const o = takeOpts(args, new Set(["--tail", "-n", "--since"]));
  const c = lib.find(o._[0] || "");
  if (!c) die(`Error response from daemon: No such container: ${o._[0]}`);
  let text = "";
  try {
    text = fs.readFileSync(path.join(lib.LOGS, `${c.name}.log`), "utf8");
  } catch {}
  const tail = (o.multi["--tail"] || o.multi["-n"] || [])[0];
  if (tail && tail !== "all")
    text = `${text
      .split("\n")
      .slice(-Number(tail) - 1)
      .join("\n")}`;
  out(text);
}

function each(names, fn, verb) {
  let status = 0;
  for (const n of names) {
    const c = lib.find(n);
    if (!c) {
      err(`Error response from daemon: No such container: ${n}\n`);
      status = 1;
      continue;
    }
    const r = fn(c);
    if (r) {
      err(`${r}\n`);
      status = 1;
    } else out(`${n}\n`);
  }
  if (!names.length) die(`"docker ${verb}" requires at least 1 argument.`);
  process.exit(status);
}

function main(argv) {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case "--version":
    case "-v":
      return out("Docker version 27.5.1, build 9f9e405\n");
    case "version":
      return out(
        "Client: Docker Engine - Community (pve-sim)\n Version:           27.5.1\n\nServer: Docker Engine - Community (pve-sim)\n Engine:\n  Version:          27.5.1\n",
      );
    case "info":
      return out(
        `Client:\n Version:    27.5.1\n\nServer:\n Containers: ${lib.all().length}\n Storage Driver: overlay2\n Logging Driver: journald\n Cgroup Driver: systemd\n`,
      );
    case "run":
      return run(args);
    case "ps":
      return ps(args);
    case "container":
      return main(args[0] === "ls" ? ["ps", ...args.slice(1)] : args);
    case "logs":
      return logs(args);
    case "inspect":
      return inspect(args.filter((a) => !a.startsWith("-")));
    case "stop":
    case "kill":
      return each(
        args.filter((a) => !a.startsWith("-")),
        (c) => void lib.stopProcesses(c),
        cmd,
      );
    case "start":
      return each(
        args.filter((a) => !a.startsWith("-")),
        (c) => void (c.status !== "running" && lib.startProcesses(c)),
        cmd,
      );
    case "restart":
      return each(
        args.filter((a) => !a.startsWith("-")),
        (c) => {
          lib.stopProcesses(c);
          lib.startProcesses(c);
        },
        cmd,
      );
    case "rm": {
      const force = args.includes("-f") || args.includes("--force");
      return each(
        args.filter((a) => !a.startsWith("-")),
        (c) => {
          if (c.status === "running" && !force)
            return `Error response from daemon: cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`;
          lib.remove(c);
        },
        cmd,
      );
    }
    case "build": {
      const o = takeOpts(
        args,
        new Set(["-t", "--tag", "-f", "--file", "--build-arg", "--target", "--progress"]),
      );
      const r = build(
        o._[0] || ".",
        (o.multi["-f"] || o.multi["--file"] || [])[0],
        (o.multi["-t"] || o.multi["--tag"] || [])[0],
      );
      err(r.err);
      return process.exit(r.ok ? 0 : 1);
    }
    case "pull": {
      const image = args.find((a) => !a.startsWith("-")) || "";
      const [repo, tag = "latest"] = image.split(":");
      return out(
        `${tag}: Pulling from library/${repo}\nDigest: sha256:${"0".repeat(64)}\nStatus: Downloaded newer image for ${repo}:${tag}\ndocker.io/library/${repo}:${tag}\n`,
      );
    }
    case "images":
      out("REPOSITORY   TAG       IMAGE ID       CREATED         SIZE\n");
      for (const [ref, img] of Object.entries(lib.images()))
        out(
          `${ref.split(":")[0]}   ${ref.split(":")[1]}   ${img.id.slice(0, 12)}   1 second ago    12.3MB\n`,
        );
      return;
    case "exec": {
      const o = takeOpts(args, new Set(["-e", "--env", "-w", "--workdir", "-u", "--user"]));
      const [name, ...command] = o._;
      const c = lib.find(name || "");
      if (!c) die(`Error response from daemon: No such container: ${name}`);
      if (c.status !== "running") die(`Error response from daemon: container ${c.id} is not running`);
      const r = spawnSync(command[0], command.slice(1), { stdio: "inherit" });
      return process.exit(r.status ?? 1);
    }
    case "compose":
      return require("./docker-compose.cjs").compose(args);
    default:
      die(`docker: '${cmd}' is not a docker command.\nSee 'docker --help'`);
  }
}

main(process.argv.slice(2));
