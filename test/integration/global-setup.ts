// Brings up the integration labs once per `vitest run`: one per lane, each with four nodes
// and the sample images in its registry. Vitest runs two test files at a time (see
// vitest.config.ts); a file uses the lab of the worker it runs in (test/fixtures/test-lab.ts), so two
// files never share nodes. Most of an integration file's time is spent waiting on shaped
// links, Docker and sshd, not on the CPU: two at a time nearly halve the suite.
// HOUND_TEST_KEEP_LAB=1 leaves the labs up afterwards, for poking at a failure. If another
// live run holds a lab's name, this run uses NAME-PID instead (reaped by a later run once dead).
import type { TestProject } from 'vitest/node';
import { HoundError } from '../../base/errors.js';
import { labDown, labUp, pushImageSet, SAMPLE_IMAGE_SET } from '../../lab/index.js';
import { claimRunLabName, releaseLab } from '../../lab/ownership.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Lab dirs, one per lane: worker N uses labDirs[(N - 1) % length]. */
    labDirs: string[];
  }
}

export const TEST_LAB_NAMES = ['test', 'test-lane2'];
export const TEST_LAB_NODES = 4;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const lanes = Math.max(1, Math.min(TEST_LAB_NAMES.length, project.globalConfig.maxWorkers ?? 1));
  const names: string[] = [];
  try {
    const outcomes = await Promise.allSettled(
      TEST_LAB_NAMES.slice(0, lanes).map(async (wanted) => {
        // Another run (another engineer, another CI job) may be using the name right now.
        // Claimed before it is brought up: two runs starting together get two names.
        const name = await claimRunLabName(wanted);
        names.push(name);
        const { info, elapsedMs } = await labUp({ name, nodes: TEST_LAB_NODES });
        const pushStarted = Date.now();
        await pushImageSet(info.registry.url, SAMPLE_IMAGE_SET);
        process.stderr.write(
          `[global-setup] lab '${info.name}' up with ${info.nodes.length} nodes in ${(elapsedMs / 1000).toFixed(1)} s, sample images pushed in ${((Date.now() - pushStarted) / 1000).toFixed(1)} s (${info.dir})\n`,
        );
        return info.dir;
      }),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    project.provide(
      'labDirs',
      outcomes.map((o) => (o as PromiseFulfilledResult<string>).value),
    );
  } catch (err) {
    await takeDown(names);
    // One clear line (not root, not Linux, a package missing) instead of a stack trace.
    if (err instanceof HoundError) throw new Error(`integration tests need a hound lab: ${err.format()}`, { cause: err });
    throw err;
  }
  return async () => {
    if (process.env.HOUND_TEST_KEEP_LAB === '1') return;
    await takeDown(names);
  };
}

async function takeDown(names: string[]): Promise<void> {
  await Promise.all(names.map((name) => labDown(name).catch(() => undefined)));
  await Promise.all(names.map((name) => releaseLab(name)));
}
