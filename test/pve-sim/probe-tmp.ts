import { startSimulator } from "@pylon/pve-sim";

const sim = await startSimulator({ clockScale: 0, auth401DelayMs: 0, ssh: false });
console.log(sim.token.tokenId, sim.token.secret, sim.apiUrl);
const { execFileSync } = await import("node:child_process");
for (const p of [
  "/version",
  `/nodes/${sim.node}/status`,
  "/cluster/resources",
  `/nodes/${sim.node}/storage`,
]) {
  console.log(
    p,
    execFileSync("curl", [
      "-s",
      "--cacert",
      sim.caCertPath,
      "-H",
      `Authorization: ${sim.token.header}`,
      sim.apiUrl + p,
    ])
      .toString()
      .slice(0, 1500),
  );
}
await sim.stop();
