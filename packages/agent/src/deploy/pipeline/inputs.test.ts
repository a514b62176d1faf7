import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { diagnosticCommands } from "./diagnostics.ts";
import { diskSizeGb } from "./guest.ts";
import { checkGitUrl, checkRef, checkSubdirectory } from "./inputs.ts";
import { envFile, envOverride } from "./run-app.ts";
import { snapshotName } from "./snapshot.ts";

describe("pipeline inputs and generated files", () => {
  it("names snapshots the way Proxmox accepts (a config id)", () => {
    const name = snapshotName(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(name).toBe("pylon_20260102_030405");
    expect(name).toMatch(/^[a-z][a-z0-9_]*$/i);
  });

  it("accepts branches, tags and commits and refuses option-like or odd refs", () => {
    for (const ok of ["main", "release/1.2", "v1.0.0", "0123456789abcdef0123456789abcdef01234567"])
      expect(() => checkRef(ok)).not.toThrow();
    for (const bad of ["-c", "--upload-pack=x", "a..b", "a b", "x:y", "HEAD@{1}", "", "a\nb", "ref.lock"])
      expect(() => checkRef(bad)).toThrow(/not a valid git ref/);
  });

  it("allows only the configured Git URL schemes", () => {
    const schemes = ["https:", "ssh:"];
    for (const ok of ["https://github.com/a/b.git", "ssh://git@host/a/b.git", "git@github.com:a/b.git"])
      expect(() => checkGitUrl(ok, schemes)).not.toThrow();
    for (const bad of ["file:///etc", "http://host/r.git", "ext::sh -c touch", "-uhttps://x", "git://host/r"])
      expect(() => checkGitUrl(bad, schemes)).toThrow();
  });

  it("reads disk sizes from Proxmox property strings", () => {
    expect(diskSizeGb("local-lvm:vm-100-disk-0,size=8G")).toBe(8);
    expect(diskSizeGb("local-lvm:vm-100-disk-0,iothread=1,size=512M")).toBe(0.5);
    expect(diskSizeGb("local-lvm:vm-100-disk-0")).toBeUndefined();
  });

  it("keeps subdirectories inside the repository", () => {
    expect(checkSubdirectory("/apps/web/")).toBe("apps/web");
    expect(() => checkSubdirectory("../etc")).toThrow();
  });

  it("writes env files literally and refuses newlines there; compose overrides escape $", () => {
    expect(envFile({ A: "x y $(z)", B: "" })).toBe("A=x y $(z)\nB=\n");
    expect(() => envFile({ A: "x\ny" })).toThrow(/A contains a newline/);
    expect(parse(envOverride(["web"], { A: "$HOME\nnext" }))).toEqual({
      services: { web: { environment: { A: "$$HOME\nnext" } } },
    });
  });

  it("builds diagnostics from fixed argv only", () => {
    const compose = { compose: ["docker", "compose", "-p", "shop", "-f", "/opt/pylon/shop/compose.yaml"] };
    expect(diagnosticCommands("logs", compose, 50)).toEqual([
      [...compose.compose, "logs", "--no-color", "--tail", "50"],
    ]);
    expect(diagnosticCommands("logs", { container: "pylon-x" }, 10)).toEqual([
      ["docker", "logs", "--tail", "10", "pylon-x"],
    ]);
    expect(diagnosticCommands("disk", compose, 1)).toEqual([["df", "-h"]]);
  });
});
