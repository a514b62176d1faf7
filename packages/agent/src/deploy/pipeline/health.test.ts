import { describe, expect, it } from "vitest";
import { emptyPlan } from "../build/types.ts";
import { healthHint } from "./health.ts";

type HintRun = Parameters<typeof healthHint>[0];
const run = (framework: string | null, port = 8000): HintRun =>
  ({
    state: { plan: { ...emptyPlan(), framework, port }, containerPort: port },
    params: { route: { id: "x", host: "shop.example.com", tls: "internal" } },
  }) as unknown as HintRun;

describe("health-check failures explain themselves", () => {
  it("Django's 400 is the host name; a refused connection is localhost or another port", () => {
    expect(healthHint(run("django"), { status: 400, head: "<h1>Bad Request (400)</h1>" })).toBe(
      "Django refuses the host name: add shop.example.com to ALLOWED_HOSTS (Pylon sets PYLON_ALLOWED_HOSTS; read DJANGO_ALLOWED_HOSTS or it in settings.py)",
    );
    expect(healthHint(run("node", 3000), new Error("connect ECONNREFUSED 127.77.0.5:8321"))).toBe(
      "nothing accepts connections on that port: the app may listen on localhost (127.0.0.1) only or on another port than 3000; Pylon sets PORT=3000 and HOST=0.0.0.0, so make the app use them (or set the port)",
    );
  });

  it("errors, missing pages and auth say so; a plain 200-ish answer has no hint", () => {
    expect(healthHint(run("flask"), { status: 502, head: "" })).toBe(
      "the app fails while answering; see its logs",
    );
    expect(healthHint(run("flask"), { status: 404, head: "" })).toBe(
      "the app has no page at the checked path",
    );
    expect(healthHint(run("flask"), { status: 401, head: "" })).toBe(
      "the app asks for authentication at the checked path",
    );
    expect(healthHint(run("flask"), { status: 418, head: "" })).toBeNull();
  });
});
