// Client half of the simulator's host commands (bin/pct, bin/pveum, bin/pveversion): POST
// /host/<command> on the control API with argv in a header, stdin as the streamed request
// body, and stdout/stderr/exit frames coming back (see src/shell/host-stream.ts).
//
// What real `pct` does where it runs is done here, in the calling process, so that the
// caller's sandbox applies to it: `pct push` reads its source file and `pct pull` writes its
// destination here. With PVE_SIM_ETC_PVE (a directory standing in for pmxcfs) and
// PVE_SIM_NODE set, it also behaves as on a real host: `pct set` takes the config lock in
// /run/lock/lxc and writes /etc/pve/nodes/<node>/lxc/<vmid>.conf, and `pct exec/push/pull`
// need the capabilities lxc-attach needs to enter an unprivileged container.
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");

const [name, ...args] = process.argv.slice(2);
const base = process.env.PVE_SIM_CONTROL;
const etcPve = process.env.PVE_SIM_ETC_PVE;
const node = process.env.PVE_SIM_NODE;
const hostMode = Boolean(etcPve && node);

function die(text, code = 255) {
  process.stderr.write(`${text}\n`);
  process.exit(code);
}

if (!base) die(`${name}: PVE_SIM_CONTROL is not set (the URL of a running pve-sim control API)`);

// lxc-attach into an unprivileged CT: setns (CAP_SYS_ADMIN) on namespaces it opens through
// /proc/<pid>/ns of a process of another uid (CAP_SYS_PTRACE), joining the CT's cgroup
// (CAP_DAC_OVERRIDE), switching to the CT's ids (CAP_SETUID/SETGID), dropping the CT's
// capabilities from the bounding set (CAP_SETPCAP); pct push/pull chown files to the CT's
// mapped ids (CAP_CHOWN, CAP_FOWNER) and stop commands (CAP_KILL).
const ATTACH_CAPS = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_FOWNER: 3,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_ADMIN: 21,
};

function checkAttachCaps(vmid) {
  const status = fs.readFileSync("/proc/self/status", "utf8");
  const eff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? "0"}`);
  const missing = Object.entries(ATTACH_CAPS)
    .filter(([, bit]) => !((eff >> BigInt(bit)) & 1n))
    .map(([cap]) => cap);
  if (missing.length)
    die(
      `lxc-attach: ${vmid}: ../src/lxc/attach.c: lxc_attach: Operation not permitted - Failed to attach to the container (missing ${missing.join(", ")})`,
      1,
    );
}

let tmpConfig;
if (hostMode && name === "pct") {
  const [cmd, vmid] = args;
  if (["exec", "push", "pull", "enter"].includes(cmd) && /^\d+$/.test(vmid ?? "")) checkAttachCaps(vmid);
  if (cmd === "set" && /^\d+$/.test(vmid ?? "")) {
    // PVE::AbstractConfig->lock_config, then PVE::Tools::file_set_contents' temporary file.
    const lock = `/run/lock/lxc/pve-config-${vmid}.lock`;
    try {
      fs.mkdirSync(path.dirname(lock), { recursive: true });
      fs.closeSync(fs.openSync(lock, "a"));
    } catch (err) {
      die(`can't lock file '${lock}' - can't open file - ${reason(err)}`);
    }
    tmpConfig = path.join(etcPve, "nodes", node, "lxc", `${vmid}.conf.tmp.${process.pid}`);
    try {
      fs.closeSync(fs.openSync(tmpConfig, "w", 0o640));
    } catch (err) {
      die(`unable to open file '${tmpConfig}' - ${reason(err)}`);
    }
  }
}

function reason(err) {
  const texts = {
    EROFS: "Read-only file system",
    EACCES: "Permission denied",
    ENOENT: "No such file or directory",
  };
  return texts[err.code] ?? err.message;
}

// pct push reads its source here; pct pull writes its destination here.
let upload;
let pullTo;
if (name === "pct" && args[0] === "push" && args[2]) {
  try {
    upload = fs.createReadStream(args[2]);
    fs.accessSync(args[2], fs.constants.R_OK);
  } catch {
    die(`unable to open file '${args[2]}' - No such file or directory`);
  }
  args[2] = "-";
}
if (name === "pct" && args[0] === "pull" && args[3]) pullTo = args[3];

const req = http.request(`${base}/host/${name}`, {
  method: "POST",
  headers: {
    "x-argv": Buffer.from(JSON.stringify(args)).toString("base64"),
    "transfer-encoding": "chunked",
  },
});
// Send the headers now: with a stdin that stays silent, Node would otherwise hold them back.
req.flushHeaders();
req.on("error", (err) => die(`${name}: cannot reach the simulator: ${err.message}`));
req.on("response", (res) => {
  let buf = Buffer.alloc(0);
  let code;
  let failed = false;
  res.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 5) {
      const type = buf.readUInt8(0);
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      const payload = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      if (type === 1) process.stdout.write(payload);
      else if (type === 2) process.stderr.write(payload);
      else if (type === 3) code = Number(payload.toString("utf8"));
      else if (type === 4 && hostMode) failed = !writeEtcPve(JSON.parse(payload.toString("utf8"))) || failed;
      else if (type === 5 && pullTo) fs.writeFileSync(pullTo, payload);
    }
  });
  // Exit once the response is complete and our own output is flushed.
  res.on("end", () => {
    if (tmpConfig) fs.rmSync(tmpConfig, { force: true });
    const exit = failed ? 255 : (code ?? 255);
    process.stdout.write("", () => process.stderr.write("", () => process.exit(exit)));
  });
});

/** Writes a config file under PVE_SIM_ETC_PVE as file_set_contents does (temporary file, rename). */
function writeEtcPve({ path: rel, text }) {
  const target = path.join(etcPve, rel);
  const tmp = tmpConfig ?? `${target}.tmp.${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(tmp, text, { mode: 0o640 });
    fs.renameSync(tmp, target);
    tmpConfig = undefined;
    return true;
  } catch (err) {
    process.stderr.write(`unable to open file '${tmp}' - ${reason(err)}\n`);
    return false;
  }
}

// Only `pct exec` passes stdin on (to the command in the CT); like the real tools, the others
// leave it alone (under `curl … | sh` it is the rest of the script).
if (upload) upload.pipe(req);
else if (process.stdin.isTTY || name !== "pct" || !["exec", "enter"].includes(args[0])) req.end();
else {
  process.stdin.on("error", () => req.end());
  process.stdin.pipe(req);
}
