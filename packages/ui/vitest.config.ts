import solid from "vite-plugin-solid";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [solid()],
  resolve: { conditions: ["development", "browser"] },
  test: {
    name: "ui",
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/testing/setup.ts"],
    // Bounds that hold on a loaded 2-core machine (see the root vitest.config.ts).
    testTimeout: 30_000,
    expect: { poll: { timeout: 10_000 } },
  },
});
