import type { IncomingMessage, ServerResponse } from "node:http";
import { Writable } from "node:stream";
import type { World } from "../world.ts";
import { runPct } from "./pct.ts";

// Wire format between bin/pct and the control API: the request body is pct's stdin; the
// response is a series of frames [type:u8][length:u32be][payload], type 1 = stdout,
// 2 = stderr, 3 = exit code (ASCII). Request and response stream at the same time.

function frame(type: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

function frameWriter(res: ServerResponse, type: number): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!res.writableEnded) res.write(frame(type, Buffer.from(chunk)));
      cb();
    },
  });
}

/** Handles POST /pct: argv in the `x-pct-argv` header (base64 JSON), streams in both directions. */
export function runPctStream(world: World, req: IncomingMessage, res: ServerResponse): void {
  let argv: string[];
  try {
    argv = JSON.parse(
      Buffer.from(String(req.headers["x-pct-argv"] ?? ""), "base64").toString("utf8"),
    ) as string[];
  } catch {
    res.writeHead(400).end();
    return;
  }
  res.writeHead(200, { "Content-Type": "application/octet-stream" });
  res.flushHeaders();
  void runPct(world, argv, { stdin: req, stdout: frameWriter(res, 1), stderr: frameWriter(res, 2) }).then(
    (code) => {
      // Let piped output drain before the exit frame.
      setImmediate(() => {
        if (!res.writableEnded) res.end(frame(3, Buffer.from(String(code))));
      });
    },
  );
}
