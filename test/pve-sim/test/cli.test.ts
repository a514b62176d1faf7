import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const tsx = fileURLToPath(new URL("../../../node_modules/tsx/dist/cli.mjs", import.meta.url));

describe("pnpm sim --json", () => {
  it("prints one JSON line with what a client needs and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [tsx, "src/cli.ts", "--json", "--clock-scale", "0"], {
      cwd: pkg,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = "";
      child.stdout.on("data", (d) => {
        buf += d;
        if (buf.includes("\n")) resolve(buf.split("\n")[0]!);
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(line);
    expect(info.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api2\/json$/);
    expect(info.node).toBe("pve");
    expect(info.tokenId).toBe("root@pam!pylon");
    expect(info.tokenSecret).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(info.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.ssh.port).toBeGreaterThan(0);
    expect(info.caCertPath).toMatch(/pve-root-ca\.pem$/);
    const res = await fetch(`${info.controlUrl}/state`);
    expect(res.status).toBe(200);
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (c) => resolve(c));
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
    await expect(fetch(`${info.controlUrl}/state`)).rejects.toThrow();
  });
});
