import { fail } from "../server/errors.ts";
import { type Route, str } from "../server/router.ts";
import { avail, volumePath } from "./storage.ts";

// POST …/storage/{storage}/download-url: PVE downloads a file (an ISO, a CT template, or since
// 8.4 a disk image to `import`) onto a storage in a `download` task. The simulator has no
// internet: it "downloads" any http(s) URL as a file of a cloud image's size.

const IMAGE_SIZE = 420 * 2 ** 20;
const EXTENSIONS: Record<string, RegExp> = {
  iso: /\.(iso|img)$/i,
  vztmpl: /\.tar\.(gz|xz|zst)$/i,
  import: /\.(qcow2|raw|vmdk|ova)$/i,
};

/** The download-url call. */
export function downloadRoutes(): Route[] {
  return [
    {
      method: "POST",
      path: "/nodes/{node}/storage/{storage}/download-url",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const storeid = str(params, "storage")!;
        const s = world.storage(storeid);
        const content = str(params, "content")!;
        const filename = str(params, "filename")!;
        const url = str(params, "url")!;
        if (!(s.content as string[]).includes(content))
          throw fail(`storage '${storeid}' is not configured for content-type '${content}'`);
        if (!EXTENSIONS[content]?.test(filename)) throw fail("invalid filename or wrong extension");
        const name = `${content}/${filename}`;
        const volid = `${storeid}:${name}`;
        return world.tasks.start("download", storeid, who.authid, fault, async (ctx) => {
          const target = volumePath(s, name);
          ctx.log(`downloading ${url} to ${target}`);
          await ctx.faultPoint();
          if (IMAGE_SIZE > avail(s))
            throw fail(`write to '${target}.tmp.${ctx.task.pid}' failed: No space left on device`);
          await ctx.sleep(world.clock.pick(5000, 30_000, filename.length));
          ctx.log(`${(IMAGE_SIZE / 2 ** 20).toFixed(2)} MB downloaded`);
          s.volumes.set(volid, {
            volid,
            content: content as "import",
            size: IMAGE_SIZE,
            format: filename.split(".").at(-1) ?? "raw",
            ctime: Math.floor(Date.now() / 1000),
            // What this file is: a stock cloud image (no qemu-guest-agent inside).
            cloudImage: true,
          });
          ctx.log(`download of '${url}' to '${target}' finished`);
        }).upid;
      },
    },
  ];
}
