import { describe, expect, it } from "vitest";
import { checkHost, checkRouteId, checkUpstream, RouteInputError, tlsModeFor } from "./names.ts";

describe("tlsModeFor", () => {
  it.each([
    "app1.pylon.internal",
    "nas.lan",
    "printer.local",
    "media.home.arpa",
    "localhost",
    "app.localhost",
    "10.0.0.5",
    "127.77.0.5",
    "::1",
    "fd00::1",
    "app.myhomelab",
    "intranet",
    "svc.test",
  ])("%s is private (internal CA)", (host) => {
    expect(tlsModeFor(host)).toBe("internal");
  });

  it.each(["app.example.com", "blog.example.co.uk", "x.dev", "App.Example.ORG", "me.github.io"])(
    "%s is public (ACME)",
    (host) => {
      expect(tlsModeFor(host)).toBe("acme");
    },
  );
});

describe("checkHost", () => {
  it("lowercases valid names", () => {
    expect(checkHost("App1.Pylon.Internal")).toBe("app1.pylon.internal");
    expect(checkHost("xn--bcher-kva.example")).toBe("xn--bcher-kva.example");
  });

  it.each([
    "",
    "app 1.pylon.internal",
    " app.pylon.internal",
    "*.pylon.internal",
    "*",
    'app".pylon.internal',
    "app'.pylon.internal",
    "app.pylon.internal.",
    "app..internal",
    "-app.internal",
    "app-.internal",
    "app.internal:443",
    "app/x.internal",
    "app\n.internal",
    "bücher.example",
    "a{b}.internal",
    `${"a".repeat(64)}.internal`,
    `${"a.".repeat(130)}internal`,
  ])("refuses %j", (host) => {
    expect(() => checkHost(host)).toThrow(RouteInputError);
  });
});

describe("checkRouteId and checkUpstream", () => {
  it("accepts DNS-label ids and addr:port upstreams", () => {
    expect(checkRouteId("app-1")).toBe("app-1");
    expect(checkUpstream("127.77.0.5:8080")).toBe("127.77.0.5:8080");
    expect(checkUpstream("[fd00::5]:80")).toBe("[fd00::5]:80");
    expect(checkUpstream("Guest-1.lan:3000")).toBe("guest-1.lan:3000");
  });

  it.each(["", "App", "a b", "a:b", "-a", "a/b", "x".repeat(64)])("refuses id %j", (id) => {
    expect(() => checkRouteId(id)).toThrow(RouteInputError);
  });

  it.each(["127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "h st:80", "[zz]:80", ":80", "a:b:80", "x:80; rm"])(
    "refuses upstream %j",
    (upstream) => {
      expect(() => checkUpstream(upstream)).toThrow(RouteInputError);
    },
  );
});
