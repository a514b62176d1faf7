import type { IncomingMessage, ServerResponse } from "node:http";
import { Writable } from "node:stream";
import type { World } from "../world.ts";
import { HOST_COMMANDS, type HostCommand, runHostCommand } from "./host-commands.ts";

// Wire format between bin/host-command.cjs and the control API: the request body is the
// command's stdin; the response is a series of frames [type:u8][length:u32be][payload]:
// 1 = stdout, 2 = stderr, 3 = exit code (ASCII), 4 = a file the command writes under /etc/pve
// on its host (JSON {path, text}), 5 = the content of a file it writes where it runs (`pct
// pull`'s destination). Request and response stream at the same time.

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

/** Handles POST /host/<command>: argv in the `x-argv` header (base64 JSON), streams both ways. */
export function runHostStream(world: World, name: string, req: IncomingMessage, res: ServerResponse): void {
  let argv: string[];
  try {
    argv = JSON.parse(
      Buffer.from(String(req.headers["x-argv"] ?? ""), "base64").toString("utf8"),
    ) as string[];
    if (!Array.isArray(argv) || !(HOST_COMMANDS as readonly string[]).includes(name)) throw new Error();
  } catch {
    res.writeHead(400).end();
    return;
  }
  res.writeHead(200, { "Content-Type": "application/octet-stream" });
  res.flushHeaders();
  const io = {
    stdin: req,
    stdout: frameWriter(res, 1),
    stderr: frameWriter(res, 2),
    writeEtcPve: (path: string, text: string) => {
      if (!res.writableEnded) res.write(frame(4, Buffer.from(JSON.stringify({ path, text }))));
    },
    writeLocal: (data: Buffer) => {
      if (!res.writableEnded) res.write(frame(5, data));
    },
  };
  void runHostCommand(world, name as HostCommand, argv, io).then((code) => {
    // Let piped output drain before the exit frame.
    setImmediate(() => {
      if (!res.writableEnded) res.end(frame(3, Buffer.from(String(code))));
    });
  });
}
