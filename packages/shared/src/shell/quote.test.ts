// This test runs real shells, so it needs Node's types; the shared code itself must not.
/// <reference types="node" />
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShellQuoteError, shellJoin, shellQuote } from "./quote.ts";

// /bin/sh is what `sh -c` finds on the guests; dash and bash are checked too when present.
const SHELLS = ["/bin/sh", "/bin/dash", "/bin/bash"].filter((s) => existsSync(s));

/** Runs `printf '%s\0' <joined argv>` through a real shell and splits what it prints. */
function roundTrip(argv: readonly string[], shell = "/bin/sh"): Buffer[] {
  const script = `printf '%s\\0' ${shellJoin(argv)}`;
  const result = spawnSync(shell, ["-c", script], { maxBuffer: 64 * 1024 * 1024, env: {} });
  if (result.status !== 0) throw new Error(`sh failed (${result.status}): ${result.stderr.toString()}`);
  const out = result.stdout;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 0) {
      parts.push(out.subarray(start, i));
      start = i + 1;
    }
  }
  expect(start).toBe(out.length);
  return parts;
}

function expectRoundTrip(argv: readonly string[], shell = "/bin/sh"): void {
  const parts = roundTrip(argv, shell);
  expect(parts.map((p) => p.toString("hex"))).toEqual(
    argv.map((a) => Buffer.from(a, "utf8").toString("hex")),
  );
}

const NASTY = [
  "",
  " ",
  "'",
  "''",
  '"',
  "\\",
  "\\'",
  "'\\''",
  "$(touch /tmp/pylon-pwned)",
  "`touch /tmp/pylon-pwned`",
  "$HOME",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the point of the test
  "${HOME}",
  "$((1+1))",
  "*",
  "?",
  "[a-z]*",
  "~",
  "~root",
  "-n",
  "--help",
  "-e \\n",
  "a\nb",
  "\n",
  "\r\n",
  "\t",
  "a;b",
  "a&&b",
  "a|b",
  "a>b",
  "<a",
  "#comment",
  "!history",
  "{a,b}",
  "héllo 🚀 \u202e",
  "\u00ff\u0080",
  "%s%n",
];

// fast-check's string arbitraries, minus NUL (which must be refused, tested separately).
const noNul = (s: string) => !s.includes("\0");
const argArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }).filter(noNul),
  fc.string({ unit: "grapheme", maxLength: 20 }).filter(noNul),
  fc.constantFrom(...NASTY),
  fc
    .array(
      fc.constantFrom("'", '"', "$", "(", ")", "`", "\\", "\n", " ", "*", "-", "a", "{", "}", "!", ";", "&"),
      {
        maxLength: 30,
      },
    )
    .map((cs) => cs.join("")),
);

describe("shellQuote / shellJoin", () => {
  it.each(SHELLS)("round-trips the nasty corpus byte for byte through %s", (shell) => {
    expectRoundTrip(NASTY, shell);
  });

  it.each(SHELLS)("round-trips arbitrary argv byte for byte through %s", (shell) => {
    fc.assert(
      fc.property(fc.array(argArb, { minLength: 1, maxLength: 8 }), (argv) => {
        expectRoundTrip(argv, shell);
      }),
      { numRuns: shell === "/bin/sh" ? 300 : 100 },
    );
  });

  it("quotes what needs quoting and leaves plain words readable", () => {
    expect(shellQuote("docker")).toBe("docker");
    expect(shellQuote("/opt/app/compose.yaml")).toBe("/opt/app/compose.yaml");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote("$(id)")).toBe("'$(id)'");
    expect(shellJoin(["docker", "compose", "-p", "my app", "up", "-d"])).toBe(
      "docker compose -p 'my app' up -d",
    );
  });

  it("refuses NUL bytes with a clear error", () => {
    expect(() => shellQuote("a\0b")).toThrow(ShellQuoteError);
    expect(() => shellQuote("a\0b")).toThrow("shell argument contains a NUL byte, which no shell can carry");
    expect(() => shellJoin(["ok", "\0"])).toThrow(ShellQuoteError);
  });

  it("never executes anything it quotes", () => {
    const argv = ["$(echo pwned >&2)", "`echo pwned >&2`", "'; echo pwned >&2; '"];
    const result = spawnSync("/bin/sh", ["-c", `printf '%s\\0' ${shellJoin(argv)}`], { env: {} });
    expect(result.stderr.toString()).toBe("");
    expect(result.status).toBe(0);
  });
});
