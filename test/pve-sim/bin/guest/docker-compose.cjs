// `docker compose` of the guest shim: reads the compose file, builds `build:` services
// with the Dockerfile checks, and runs one container per service (`<project>-<svc>-1`).
const fs = require("node:fs");
const path = require("node:path");
const YAML = require("yaml");
const lib = require("./docker-lib.cjs");
const { build } = require("./docker-build.cjs");
const { printLogs } = require("./docker-show.cjs");
const { takeOpts } = require("./docker-opts.cjs");

const FILES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];
const err = (s) => process.stderr.write(s);
const out = (s) => process.stdout.write(s);

function load(args) {
  const files = [];
  let project;
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-f" || args[i] === "--file") files.push(args[++i]);
    else if (args[i] === "-p" || args[i] === "--project-name") project = args[++i];
    else if (args[i].startsWith("--file=")) files.push(args[i].slice(7));
    else if (args[i] === "--project-directory") i++;
    else rest.push(args[i]);
  }
  const file = files[0]
    ? path.resolve(files[0])
    : FILES.map((f) => path.resolve(f)).find((f) => fs.existsSync(f));
  if (!file || !fs.existsSync(file)) {
    err(`no configuration file provided: not found\n`);
    process.exit(1);
  }
  let doc;
  try {
    doc = YAML.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    err(`yaml: ${String(e.message).split("\n")[0]}\n`);
    process.exit(15);
  }
  if (!doc || typeof doc.services !== "object") {
    err(`${path.basename(file)}: services must be a mapping\n`);
    process.exit(15);
  }
  const dir = path.dirname(file);
  project = (project || doc.name || path.basename(dir)).toLowerCase().replace(/[^a-z0-9_-]/g, "");
  return { doc, dir, project, rest };
}

function envOf(svc) {
  if (Array.isArray(svc.environment))
    return Object.fromEntries(svc.environment.map((e) => String(e).split(/=(.*)/s).slice(0, 2)));
  return Object.fromEntries(Object.entries(svc.environment || {}).map(([k, v]) => [k, String(v ?? "")]));
}

function commandOf(svc) {
  if (Array.isArray(svc.command)) return svc.command.map(String);
  return svc.command ? ["/bin/sh", "-c", String(svc.command)] : [];
}

function up({ doc, dir, project, rest }) {
  const only = rest.filter((a) => !a.startsWith("-"));
  for (const [name, svc] of Object.entries(doc.services)) {
    if (only.length && !only.includes(name)) continue;
    const cname = svc.container_name || `${project}-${name}-1`;
    const image = svc.image || `${project}-${name}`;
    let context;
    if (svc.build) {
      const b = typeof svc.build === "string" ? { context: svc.build } : svc.build;
      context = path.resolve(dir, b.context || ".");
      const r = build(context, b.dockerfile, image);
      if (!r.ok) {
        err(r.err);
        err(`failed to solve: process "${name}" did not complete successfully\n`);
        process.exit(1);
      }
      err(` ${image}  Built\n`);
    } else err(` ${name} Pulled\n`);
    // As compose does (its config-hash label): a running container whose service is unchanged
    // stays; one whose image, command, environment or ports changed is recreated.
    const hash = JSON.stringify([image, commandOf(svc), envOf(svc), svc.ports || []]);
    const existing = lib.find(cname);
    if (existing) {
      const same = existing.labels?.["com.docker.compose.config-hash"] === hash;
      if (existing.status === "running" && (same || svc.build)) {
        err(` Container ${cname}  Running\n`);
        continue;
      }
      if (existing.status === "running") err(` Container ${cname}  Recreate\n`);
      lib.remove(existing);
    }
    const c = lib.create({
      name: cname,
      image,
      command: commandOf(svc),
      env: envOf(svc),
      ports: svc.ports || [],
      restart: svc.restart,
      labels: {
        "com.docker.compose.project": project,
        "com.docker.compose.service": name,
        "com.docker.compose.config-hash": hash,
      },
      service: name,
      project,
      context,
      healthcheck: Boolean(svc.healthcheck),
    });
    err(` Container ${cname}  Created\n`);
    lib.startProcesses(c);
    err(` Container ${cname}  Started\n`);
  }
}

function mine(project) {
  return lib.all().filter((c) => c.project === project);
}

function compose(args) {
  const sub = args.findIndex(
    (a) =>
      !a.startsWith("-") && !["-f", "--file", "-p", "--project-name"].includes(args[args.indexOf(a) - 1]),
  );
  const cmd = args[sub];
  // As the real plugin: `version` needs no compose file.
  if (cmd === "version") {
    process.stdout.write("Docker Compose version v2.26.1\n");
    return;
  }
  const ctx = load([...args.slice(0, sub), ...args.slice(sub + 1)]);
  switch (cmd) {
    case "up":
      return up(ctx);
    case "down":
      for (const c of mine(ctx.project)) {
        lib.remove(c);
        err(` Container ${c.name}  Removed\n`);
      }
      return;
    case "stop":
      for (const c of mine(ctx.project)) lib.stopProcesses(c);
      return;
    case "start":
    case "restart":
      for (const c of mine(ctx.project)) {
        if (c.status === "running") lib.stopProcesses(c);
        lib.startProcesses(c);
      }
      return;
    case "ps": {
      const json = ctx.rest.includes("--format") && ctx.rest.includes("json");
      const list = mine(ctx.project).filter((c) => ctx.rest.includes("-a") || c.status === "running");
      if (json) {
        for (const c of list)
          out(
            `${JSON.stringify({ Name: c.name, Service: c.service, State: c.status, Health: c.healthcheck ? (c.status === "running" ? "healthy" : "unhealthy") : "", Publishers: c.ports.map((p) => ({ URL: lib.IP, TargetPort: p.container, PublishedPort: p.host, Protocol: "tcp" })) })}\n`,
          );
        return;
      }
      out("NAME   IMAGE   COMMAND   SERVICE   CREATED   STATUS   PORTS\n");
      for (const c of list)
        out(
          `${c.name}   ${c.image}   ""   ${c.service}   1 second ago   ${c.status === "running" ? "Up 1 second" : "Exited"}   ${c.ports.map((p) => `${lib.IP}:${p.host}->${p.container}/tcp`).join(", ")}\n`,
        );
      return;
    }
    case "logs": {
      const o = takeOpts(ctx.rest, new Set(["--tail", "-n", "--since"]));
      const tail = (o.multi["--tail"] || o.multi["-n"] || [])[0];
      const logs = mine(ctx.project).map((c) => ({
        file: path.join(lib.LOGS, `${c.name}.log`),
        prefix: `${c.name}  | `,
      }));
      return printLogs(logs, tail, !!(o["--follow"] || o["-f"]), !!(o["--timestamps"] || o["-t"]));
    }
    case "pull":
      for (const name of Object.keys(ctx.doc.services)) err(` ${name} Pulled\n`);
      return;
    case "build":
      for (const [name, svc] of Object.entries(ctx.doc.services)) {
        if (!svc.build) continue;
        const b = typeof svc.build === "string" ? { context: svc.build } : svc.build;
        const r = build(
          path.resolve(ctx.dir, b.context || "."),
          b.dockerfile,
          svc.image || `${ctx.project}-${name}`,
        );
        err(r.err);
        if (!r.ok) process.exit(1);
      }
      return;
    case "config":
      return out(YAML.stringify(ctx.doc));
    default:
      err(`unknown docker command: "compose ${cmd}"\n`);
      process.exit(1);
  }
}

module.exports = { compose };
