import { describe, expect, it } from "vitest";
import { loadSchema } from "../src/schema/load.ts";
import { expandIndexed } from "../src/schema/validate.ts";
import { buildRouter } from "../src/server/routes.ts";

// Every simulated endpoint must be a real PVE 8.4.5 endpoint, and every parameter a handler
// reads must be one the real method declares (parameters are verified from the schema, so
// the simulator cannot accept more than the real server).

const schema = loadSchema();
const router = buildRouter();

describe("route table against the real schema", () => {
  const routes = [...router.routes.values()];

  it("simulates the endpoints of PVE-API.md §5", () => {
    expect(routes.length).toBeGreaterThan(60);
  });

  for (const route of routes) {
    it(`${route.method} ${route.path} exists in pve-api-8.4.5.json`, () => {
      const entry = schema.byPath.get(route.path);
      expect(entry, `path ${route.path}`).toBeDefined();
      const info = entry!.info[route.method];
      expect(info, `${route.method} ${route.path}`).toBeDefined();
      const props = expandIndexed(info!.parameters?.properties ?? {});
      const source = route.handler.toString();
      const read = new Set<string>();
      for (const m of source.matchAll(/\b(?:str|int|bool)\(params, "([^"]+)"\)/g)) read.add(m[1]!);
      for (const m of source.matchAll(/\bparams\.([a-zA-Z_][\w]*)/g)) read.add(m[1]!);
      for (const name of read)
        expect(props[name], `${route.method} ${route.path} reads '${name}'`).toBeDefined();
      // A task endpoint returns its UPID: the schema's return type must be a string.
      if (route.async) expect(info!.returns?.type, `${route.path} returns a UPID`).toBe("string");
    });
  }

  it("matches concrete URIs to schema paths (volume ids may hold a slash)", () => {
    const m = schema.match("/nodes/pve/storage/local/content/local:vztmpl/debian.tar.zst");
    expect(m?.entry.path).toBe("/nodes/{node}/storage/{storage}/content/{volume}");
    expect(m?.vars.volume).toBe("local:vztmpl/debian.tar.zst");
    expect(schema.match("/nodes/pve/lxc/101/status/current")?.entry.path).toBe(
      "/nodes/{node}/lxc/{vmid}/status/current",
    );
  });
});
