import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Vitest's order (files that failed last time, then the longest last time; larger files
 * first when it has no record, as in a fresh clone), except that the fault scenarios start
 * first: six scenarios, each a 48 MB pull at 40 mbit and two reruns, on a lab of their
 * own, take a third of the integration time; started late, they would end alone.
 */
class FaultsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = (f: TestSpecification) => f.moduleId.endsWith('/test/integration/faults.test.ts');
    return [...sorted.filter(first), ...sorted.filter((f) => !first(f))];
  }
}

// Two projects: `unit` is pure logic (no root, no network); `integration` runs against
// real `hound lab`s brought up once by test/integration/global-setup.ts.
export default defineConfig({
  test: {
    // Two files at a time, unit or integration alike, on the CI machine's two cores too: an
    // integration file mostly waits (shaped links, Docker, sshd). Each worker has a lab of
    // its own (test/fixtures/test-lab.ts), so two integration files never share nodes.
    maxWorkers: 2,
    sequence: { sequencer: FaultsFirst },
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
        },
      },
    ],
  },
});
