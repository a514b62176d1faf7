// On Workers the dashboard's files are served by the platform, never reaching the app's
// browserHeaders middleware: packages/ui/public/_headers must give them the same headers.
import { readFileSync } from "node:fs";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../env.ts";
import { browserHeaders } from "./browser-headers.ts";

const HEADERS_FILE = new URL("../../../ui/public/_headers", import.meta.url);

describe("the Workers assets' _headers file", () => {
  it("gives every file the headers the Node runtime sets on the dashboard over https", async () => {
    const app = new Hono<AppEnv>();
    app.use("*", browserHeaders("https://pylon.example.com"));
    app.get("*", (c) => c.text("ok"));
    const fromNode = Object.fromEntries((await app.request("/index.html")).headers);
    delete fromNode["content-type"];

    const lines = readFileSync(HEADERS_FILE, "utf8").split("\n");
    expect(lines[0]).toBe("/*");
    const fromFile = Object.fromEntries(
      lines
        .slice(1)
        .filter((l) => l.trim())
        .map((l) => {
          const at = l.indexOf(":");
          return [l.slice(0, at).trim().toLowerCase(), l.slice(at + 1).trim()];
        }),
    );
    expect(fromFile).toEqual(fromNode);
  });
});
