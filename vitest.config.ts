import { defineConfig } from "vitest/config";

// One runner for every test in the repository; each project is a layer of the suite.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["packages/{shared,control-plane,agent}/src/**/*.test.ts"] } },
      "packages/ui",
      { test: { name: "pve-sim", include: ["test/pve-sim/**/*.test.ts"], testTimeout: 30_000 } },
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
        },
      },
    ],
  },
});
