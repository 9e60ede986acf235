import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration files share one Docker engine on a 2-core machine: one file at a time.
    fileParallelism: false,
    pool: "forks",
  },
});
