// Entry point of the guest `docker` shim: docker run/ps/logs/inspect/stop/start/rm/build/
// pull/images/exec/version and `docker compose` (see docker-compose.cjs).
const { spawnSync } = require("node:child_process");
const _fs = require("node:fs");
const _path = require("node:path");
const lib = require("./docker-lib.cjs");
const { build } = require("./docker-build.cjs");
const { takeOpts } = require("./docker-opts.cjs");
const { inspect, logs, ps } = require("./docker-show.cjs");

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
  // --env-file: NAME=VALUE lines taken literally (no quotes, no expansion), # comments skipped.
  for (const file of o.multi["--env-file"] || []) {
    let text;
    try {
      text = _fs.readFileSync(file, "utf8");
    } catch {
      die(`docker: open ${file}: no such file or directory.`, 125);
    }
    for (const line of text.split("\n")) {
      if (!line.trim() || line.trimStart().startsWith("#")) continue;
      const [k, v] = line.split(/=(.*)/s);
      env[k.trim()] = v ?? process.env[k.trim()] ?? "";
    }
  }
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
