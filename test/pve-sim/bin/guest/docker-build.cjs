// `docker build` of the guest shim: reads the Dockerfile as Docker's frontend does (logical
// lines, instruction order, stages), refuses invalid files with Docker's texts, and lays out
// each stage's files (WORKDIR, COPY from the context or `--from` an earlier stage) in a folder
// of the guest sandbox, with its ENV, USER, EXPOSE and CMD. RUN lines are not executed (no
// package registry here), except a package.json script (`npm run build`, `pnpm run build`, …),
// which runs with node on the stage's files like a container process would. The image records
// its final stage's folder, so `docker run` starts the app's own command there.
const crypto = require("node:crypto");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { saveImage, imageOf, STATE } = require("./docker-lib.cjs");

const INSTRUCTIONS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);
const SKIP = new Set([".git", "node_modules", "Dockerfile.pylon"]);

function parseCmd(rest) {
  const text = rest.trim();
  if (text.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch {}
  }
  return ["/bin/sh", "-c", text];
}

/** `A=1 B="two words"` (or the legacy `A value`) into pairs. */
function parseEnv(rest) {
  const out = {};
  const legacy = /^(\w+)\s+([^=]*)$/.exec(rest);
  if (legacy) {
    out[legacy[1]] = legacy[2];
    return out;
  }
  const re = /(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (let m = re.exec(rest); m; m = re.exec(rest))
    out[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
  return out;
}

function logicalLines(text) {
  const raw = text.replace(/\r\n/g, "\n").split("\n");
  const out = [];
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i].trim();
    const start = i + 1;
    if (!line || line.startsWith("#")) continue;
    while (line.endsWith("\\") && i + 1 < raw.length) {
      const next = raw[++i];
      if (next.trim().startsWith("#")) continue;
      line = `${line.slice(0, -1)} ${next.trim()}`;
    }
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line);
    out.push({ line: start, word: m[1], inst: m[1].toUpperCase(), rest: m[2].trim() });
  }
  return out;
}

/** Copies src (file or folder) to dest as Docker's COPY does: a folder's contents, not the folder. */
function copy(src, dest, destIsDir) {
  const st = fs.lstatSync(src);
  if (st.isDirectory()) {
    fs.mkdirSync(dest, { recursive: true });
    for (const name of fs.readdirSync(src)) {
      if (SKIP.has(name)) continue;
      copy(path.join(src, name), path.join(dest, name), false);
    }
  } else {
    const target = destIsDir ? path.join(dest, path.basename(src)) : dest;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (st.isSymbolicLink()) {
      fs.rmSync(target, { force: true });
      fs.symlinkSync(fs.readlinkSync(src), target);
    } else fs.copyFileSync(src, target);
  }
}

const fail = (err) => ({ ok: false, err: `ERROR: failed to solve: ${err}\n` });

/** A package.json script run (`npm run build`, `pnpm run build`, `yarn build`, `bun run x`), or null. */
function scriptOf(cmd) {
  const m = /^(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?([\w:.-]+)$/.exec(cmd.trim());
  return m && !["install", "ci", "prune", "add"].includes(m[1]) ? m[1] : null;
}

/** Builds: returns { ok, out, err } with BuildKit-like output. */
function build(contextDir, dockerfile, tag) {
  const ctx = path.resolve(contextDir || ".");
  const df = path.resolve(ctx, dockerfile || "Dockerfile");
  const name = path.basename(df);
  if (!fs.existsSync(df)) return fail(`failed to read dockerfile: open ${name}: no such file or directory`);
  const id = crypto.createHash("sha256").update(`${df}${Date.now()}${Math.random()}`).digest("hex");
  const root = path.join(STATE, "images", id.slice(0, 12));
  const stages = [];
  let stage;
  const log = [];
  for (const { line, word, inst, rest } of logicalLines(fs.readFileSync(df, "utf8"))) {
    if (!INSTRUCTIONS.has(inst))
      return fail(`dockerfile parse error on line ${line}: unknown instruction: ${word}`);
    if (!stage && inst !== "FROM" && inst !== "ARG") return fail("no build stage in current context");
    if (inst === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!m)
        return fail(`dockerfile parse error on line ${line}: FROM requires either one or three arguments`);
      const base = stages.find((s) => s.name === m[1].toLowerCase());
      const built = base ? undefined : imageOf(m[1]);
      const dir = path.join(root, String(stages.length));
      fs.mkdirSync(dir, { recursive: true });
      if (base) copy(base.dir, dir, false);
      else if (built?.fs) copy(built.fs, dir, false);
      const from = base ?? built ?? {};
      stage = {
        name: m[2] ? m[2].toLowerCase() : null,
        base: m[1],
        dir,
        workdir: from.workdir || "/",
        env: { ...(from.env || {}) },
        user: from.user || "root",
        cmd: from.cmd ? [...from.cmd] : undefined,
        expose: from.expose || [],
      };
      stages.push(stage);
      log.push(`[${stages.length}] FROM ${m[1]}`);
      continue;
    }
    const inImage = (p) => path.join(stage.dir, path.posix.resolve(stage.workdir, p));
    if (inst === "WORKDIR") {
      stage.workdir = path.posix.resolve(stage.workdir, rest);
      fs.mkdirSync(inImage("."), { recursive: true });
    } else if (inst === "ENV") Object.assign(stage.env, parseEnv(rest));
    else if (inst === "USER") stage.user = rest;
    else if (inst === "EXPOSE")
      stage.expose = [...stage.expose, ...rest.split(/\s+/).map((p) => Number.parseInt(p, 10))];
    else if (inst === "CMD" || inst === "ENTRYPOINT") stage.cmd = parseCmd(rest);
    else if (inst === "COPY" || inst === "ADD") {
      const words = rest.split(/\s+/);
      const from = words.find((w) => w.startsWith("--from="))?.slice(7);
      const [dest, ...srcs] = words.filter((w) => !w.startsWith("--")).reverse();
      srcs.reverse();
      let srcRoot = ctx;
      if (from) {
        const s = stages.slice(0, -1).find((x, i) => x.name === from.toLowerCase() || String(i) === from);
        const img = s ? undefined : imageOf(from);
        if (!s && !img?.fs)
          return fail(`${from}: pull access denied, repository does not exist or may require authorization`);
        srcRoot = s ? s.dir : img.fs;
      }
      const destIsDir = dest.endsWith("/") || srcs.length > 1 || dest === "." || dest === "./";
      for (const src of srcs) {
        if (src.includes("*") || /^https?:/.test(src)) continue;
        const abs = from ? path.join(srcRoot, path.posix.resolve("/", src)) : path.resolve(ctx, src);
        if (!fs.existsSync(abs))
          return fail(
            `failed to compute cache key: failed to calculate checksum of ref: "/${src.replace(/^\/+/, "")}": not found`,
          );
        copy(abs, inImage(dest), destIsDir || fs.lstatSync(abs).isDirectory());
      }
    } else if (inst === "RUN") {
      const script = scriptOf(rest);
      const cwd = inImage(".");
      if (script && fs.existsSync(path.join(cwd, "package.json"))) {
        const pkg = JSON.parse(fs.readFileSync(path.join(cwd, "package.json"), "utf8"));
        const text = pkg.scripts?.[script];
        if (text) {
          const r = spawnSync("sh", ["-c", text], {
            cwd,
            encoding: "utf8",
            env: {
              ...process.env,
              ...stage.env,
              PATH: `${path.join(cwd, "node_modules", ".bin")}:${process.env.PATH}`,
            },
          });
          log.push(`RUN ${rest}\n${r.stdout}${r.stderr}`);
          if (r.status !== 0)
            return fail(`process "/bin/sh -c ${rest}" did not complete successfully: exit code: ${r.status}`);
        }
      } else log.push(`RUN ${rest} (not run by the simulator)`);
    }
  }
  if (!stages.length) return fail("file with no instructions");
  const final = stages.at(-1);
  saveImage(tag || `sim-build-${id.slice(0, 12)}`, {
    id,
    cmd: final.cmd || [],
    context: ctx,
    fs: final.dir,
    workdir: final.workdir,
    env: final.env,
    user: final.user,
    expose: final.expose,
    base: final.base,
    created: new Date().toISOString(),
  });
  const n = stages.length + 2;
  const out = [
    '#0 building with "default" instance using docker driver',
    "",
    `#1 [internal] load build definition from ${name}`,
    "#1 DONE 0.0s",
    ...log.map((l) => `#2 ${l}`),
    `#${n} exporting to image`,
    `#${n} writing image sha256:${id} done`,
    tag ? `#${n} naming to docker.io/library/${tag.includes(":") ? tag : `${tag}:latest`} done` : "",
    `#${n} DONE 0.1s`,
    "",
  ].join("\n");
  return { ok: true, err: out, id };
}

module.exports = { build };
