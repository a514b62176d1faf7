// Client half of bin/pct: POST /pct on the control API with argv in a header, stdin as the
// streamed request body, and stdout/stderr/exit frames coming back (see src/shell/pct-stream.ts).
const http = require("node:http");

const base = process.env.PVE_SIM_CONTROL;
if (!base) {
  process.stderr.write("pct: PVE_SIM_CONTROL is not set (the URL of a running pve-sim control API)\n");
  process.exit(255);
}

const req = http.request(`${base}/pct`, {
  method: "POST",
  headers: {
    "x-pct-argv": Buffer.from(JSON.stringify(process.argv.slice(2))).toString("base64"),
    "transfer-encoding": "chunked",
  },
});
// Send the headers now: with a stdin that stays silent, Node would otherwise hold them back.
req.flushHeaders();
req.on("error", (err) => {
  process.stderr.write(`pct: cannot reach the simulator: ${err.message}\n`);
  process.exit(255);
});
req.on("response", (res) => {
  let buf = Buffer.alloc(0);
  let code;
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
    }
  });
  // Exit once the response is complete and our own output is flushed.
  res.on("end", () =>
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code ?? 255))),
  );
});
if (process.stdin.isTTY) req.end();
else {
  process.stdin.on("error", () => req.end());
  process.stdin.pipe(req);
}
