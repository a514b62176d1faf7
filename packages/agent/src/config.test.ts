import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "./config.ts";

const base = { controlPlaneUrl: "https://pylon.example.com", pve: { tokenId: "pylon@pve!agent" } };

describe("agent config", () => {
  it("fills defaults and resolves relative paths against the config's folder", () => {
    const c = parseConfig(base, "/etc/pylon/agent.json");
    expect(c).toMatchObject({
      credentialFile: "/etc/pylon/credential.json",
      stateDir: "/var/lib/pylon-agent",
      maxConcurrentJobs: 4,
      pve: {
        url: "https://127.0.0.1:8006",
        tokenSecretFile: "/etc/pylon/pve-token",
        caFile: "/etc/pve/pve-root-ca.pem",
      },
    });
    expect(c.nodeName.length).toBeGreaterThan(0);
    expect(parseConfig({ ...base, caFile: "cp.pem" }, "/x/agent.json").caFile).toBe("/x/cp.pem");
  });

  it("applies PYLON_AGENT_* overrides, nested ones included", () => {
    const c = parseConfig(base, "/etc/pylon/agent.json", {
      PYLON_AGENT_MAX_CONCURRENT_JOBS: "2",
      PYLON_AGENT_PVE_URL: "https://10.0.0.2:8006",
      PYLON_AGENT_NODE_NAME: "pve2",
      PYLON_AGENT_UNRELATED: "x",
    });
    expect(c).toMatchObject({
      maxConcurrentJobs: 2,
      nodeName: "pve2",
      pve: { url: "https://10.0.0.2:8006" },
    });
  });

  it("has app defaults for a stock node, overridable in the file and by PYLON_AGENT_* variables", () => {
    expect(parseConfig(base, "/etc/pylon/agent.json").apps).toEqual({
      caddyAdminUrl: "http://127.0.0.1:2019",
      httpsPort: 443,
      httpPort: 80,
      vmTemplateId: 9000,
      vmUser: "pylon",
      lxcTemplatePrefix: "debian-12-standard",
      lxcTemplateStorage: "local",
      appsBase: "/opt/pylon",
      sshPorts: [22],
      addressTimeoutSeconds: 120,
      snippetsStorage: "local",
      snippetsDir: "/var/lib/vz/snippets",
    });
    const c = parseConfig({ ...base, apps: { vmTemplateId: 8000, pctPath: "bin/pct" } }, "/x/agent.json", {
      PYLON_AGENT_CADDY_ADMIN_URL: "http://127.0.0.1:3019",
      PYLON_AGENT_HTTPS_PORT: "8443",
      PYLON_AGENT_SSH_PORTS: "22,2222",
    });
    expect(c.apps).toMatchObject({
      caddyAdminUrl: "http://127.0.0.1:3019",
      httpsPort: 8443,
      sshPorts: [22, 2222],
      vmTemplateId: 8000,
      pctPath: "/x/bin/pct",
    });
    expect(() => parseConfig(base, "/a.json", { PYLON_AGENT_SSH_PORTS: "22;2222" })).toThrow(
      /PYLON_AGENT_SSH_PORTS: must be port numbers separated by commas/,
    );
    expect(() => parseConfig({ ...base, apps: { httpsPort: 0 } }, "/a.json")).toThrow(/apps\.httpsPort/);
  });

  it("names the field (or variable) that is wrong", () => {
    expect(() => parseConfig({ ...base, controlPlaneUrl: "ftp://x" }, "/a.json")).toThrow(
      /\/a\.json: controlPlaneUrl: /,
    );
    expect(() => parseConfig({ ...base, pve: { tokenId: "nope" } }, "/a.json")).toThrow(
      /pve\.tokenId: must look like/,
    );
    expect(() => parseConfig({ ...base, color: "red" }, "/a.json")).toThrow(/color/);
    expect(() => parseConfig(base, "/a.json", { PYLON_AGENT_MAX_CONCURRENT_JOBS: "many" })).toThrow(
      /PYLON_AGENT_MAX_CONCURRENT_JOBS: must be a whole number/,
    );
    expect(() => parseConfig([], "/a.json")).toThrow(ConfigError);
  });

  it("says which file is missing or not JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pylon-config-"));
    await expect(loadConfig(join(dir, "none.json"), {})).rejects.toThrow(
      /cannot read config .*none\.json: ENOENT/,
    );
    await writeFile(join(dir, "bad.json"), "{");
    await expect(loadConfig(join(dir, "bad.json"), {})).rejects.toThrow(/bad\.json: not valid JSON/);
    await rm(dir, { recursive: true, force: true });
  });
});
