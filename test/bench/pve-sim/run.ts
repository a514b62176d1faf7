// Benchmark of the Proxmox VE simulator: create, start, stop and destroy 200 LXC guests
// through the HTTPS API with zero-length tasks, polling each task like a client would.
// Run: pnpm exec tsx test/bench/pve-sim/run.ts [guests] [concurrency]
import { startSimulator } from "../../pve-sim/src/index.ts";
import { ok, waitTask } from "../../pve-sim/test/client.ts";

const GUESTS = Number(process.argv[2] ?? 200);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

const sim = await startSimulator({ clockScale: 0, auth401DelayMs: 0, ssh: false });
let ops = 0;

async function step(method: string, path: string, params: Record<string, unknown> = {}): Promise<void> {
  const upid = await ok(sim, method, path, params);
  const r = await waitTask(sim, upid);
  if (r.status.exitstatus !== "OK") throw new Error(`${method} ${path}: ${String(r.status.exitstatus)}`);
  ops++;
}

async function lifecycle(vmid: number): Promise<void> {
  await step("POST", "/nodes/pve/lxc", {
    vmid,
    ostemplate: TEMPLATE,
    hostname: `bench${vmid}`,
    rootfs: "local-lvm:1",
    net0: "name=eth0,bridge=vmbr0,ip=dhcp",
    unprivileged: 1,
  });
  await step("POST", `/nodes/pve/lxc/${vmid}/status/start`);
  await step("POST", `/nodes/pve/lxc/${vmid}/status/stop`);
  await step("DELETE", `/nodes/pve/lxc/${vmid}`, { purge: 1 });
}

const t0 = performance.now();
let next = 1000;
const end = 1000 + GUESTS;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < end) await lifecycle(next++);
  }),
);
const seconds = (performance.now() - t0) / 1000;
const leftover = sim.world.guests.size - 1; // the seeded VM template 9000 stays
await sim.stop();
const peakMiB = process.resourceUsage().maxRSS / 1024;
console.log(
  `pve-sim benchmark: ${GUESTS} LXC guests x (create, start, stop, destroy), concurrency ${CONCURRENCY}`,
);
console.log(`  operations   ${ops} tasks (each: POST/DELETE + status polls + log read)`);
console.log(`  total time   ${seconds.toFixed(2)} s`);
console.log(`  throughput   ${(ops / seconds).toFixed(1)} ops/s`);
console.log(`  peak RSS     ${peakMiB.toFixed(1)} MiB`);
console.log(`  leftovers    ${leftover} guests`);
