import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Vitest's order (files that failed last time, then the longest last time; larger files
 * first when it has no record, as in a fresh clone), except that the two longest files start
 * first, one in each worker: the fault scenarios (six 48 MB pulls at 40 mbit and their reruns,
 * on a lab of their own, about 270 s) and the Ansible corpus (ansible-playbook and hound on
 * every entry, about 360 s). A fresh clone has no record of their length, and the corpus file
 * is small: started last, it ran alone for its last four minutes.
 */
const LONGEST_FILES = ['/test/integration/faults.test.ts', '/test/integration/ansible-corpus.test.ts'];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => LONGEST_FILES.findIndex((suffix) => f.moduleId.endsWith(suffix));
    const longest = sorted.filter((f) => rank(f) >= 0).sort((a, b) => rank(a) - rank(b));
    return [...longest, ...sorted.filter((f) => rank(f) < 0)];
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
    sequence: { sequencer: LongestFirst },
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
