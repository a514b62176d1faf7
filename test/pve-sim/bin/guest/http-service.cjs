// The stand-in for a container without an app command of its own: a small HTTP server on
// the guest's address and published port that names the service (and answers /health).
// A compose service's environment can stand in for what an image version does differently:
// PVE_SIM_REPLY is the body it answers, PVE_SIM_STATUS the status of every answer (a broken
// release answering 500 fails its health check).
const http = require("node:http");

const fs = require("node:fs");
const path = require("node:path");

const [host, port, name, root] = process.argv.slice(2);

/** With a root folder (a built nginx image's html), serves its files, index.html for folders. */
function serveFile(req, res) {
  const rel = path.posix.normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  let file = path.join(root, rel);
  if (!file.startsWith(root)) return false;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  if (!fs.existsSync(file)) file = path.join(root, "index.html");
  if (!fs.existsSync(file)) return false;
  res.writeHead(200, {
    "Content-Type": file.endsWith(".html") ? "text/html; charset=utf-8" : "application/octet-stream",
  });
  res.end(fs.readFileSync(file));
  return true;
}

const REPLY = process.env.PVE_SIM_REPLY;
const STATUS = Number(process.env.PVE_SIM_STATUS || 200);

const server = http.createServer((req, res) => {
  if (STATUS !== 200) {
    res.writeHead(STATUS, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(`pve-sim service ${name} answers ${STATUS}\n`);
    return;
  }
  if (REPLY !== undefined) {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(`${REPLY}\n`);
    return;
  }
  if (root && serveFile(req, res)) return;
  if (req.url === "/health" || req.url === "/healthz") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ status: "ok", service: name }));
    return;
  }
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(`pve-sim service ${name}\n`);
  console.log(`${new Date().toISOString()} ${req.method} ${req.url}`);
});
server.listen(Number(port), host, () => console.log(`${name} listening on ${host}:${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
