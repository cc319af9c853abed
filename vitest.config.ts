import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure logic (no root, no network); `integration` runs against
// a real `hound lab` brought up once by test/integration/global-setup.ts.
export default defineConfig({
  test: {
    // In CI a JSON report too, from which .ci/run prints one plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Integration files share one lab; run them one after another so they
          // neither fight over the nodes nor measure each other's load.
          fileParallelism: false,
        },
      },
    ],
  },
});
