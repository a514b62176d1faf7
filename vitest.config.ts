import { defineConfig } from "vitest/config";

// Bounds hold on a loaded 2-core machine at half its speed: a unit test that hashes passwords
// (Argon2, ~0.2 s of CPU each) or drives the simulator can take several seconds there, so the
// defaults (5 s per test, 1 s for expect.poll) are raised. They only decide how long a hang takes
// to fail; no test passes or fails on speed through them.
const expect = { poll: { timeout: 10_000 } };

// One runner for every test in the repository; each project is a layer of the suite.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/{shared,control-plane,agent}/src/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          expect,
        },
      },
      "packages/ui",
      { test: { name: "pve-sim", include: ["test/pve-sim/**/*.test.ts"], testTimeout: 60_000, expect } },
      {
        test: {
          name: "libsql-server",
          include: ["test/libsql-server/**/*.test.ts"],
          testTimeout: 60_000,
          expect,
        },
      },
      {
        // Real Docker (scripts/test.sh caches the base images first; skipped without them or root).
        test: {
          name: "docker",
          include: ["test/docker/**/*.test.ts"],
          testTimeout: 900_000,
          hookTimeout: 900_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          expect,
        },
      },
    ],
  },
});
