// Brings up the shared integration lab once per `vitest run`: a lab named `test` with four
// nodes and the sample images in its registry. Tests find it with inject('labDir') or
// process.env.HOUND_TEST_LAB_DIR and read it with readLabInfo(dir).
// HOUND_TEST_KEEP_LAB=1 leaves it up afterwards, for poking at a failure. If another live
// run holds `test`, this run uses `test-PID` instead (reaped by a later run once dead).
import type { TestProject } from 'vitest/node';
import { HoundError } from '../../base/errors.js';
import { labDown, labUp, pushImageSet, SAMPLE_IMAGE_SET } from '../../lab/index.js';
import { chooseRunLabName, claimLab } from '../../lab/ownership.js';

declare module 'vitest' {
  export interface ProvidedContext {
    labDir: string;
  }
}

export const TEST_LAB_NAME = 'test';
export const TEST_LAB_NODES = 4;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let name = TEST_LAB_NAME;
  try {
    // Another run (another engineer, another CI job) may be using `test` right now.
    name = await chooseRunLabName(TEST_LAB_NAME);
    const { info, elapsedMs } = await labUp({ name, nodes: TEST_LAB_NODES });
    await claimLab(name);
    const pushStarted = Date.now();
    await pushImageSet(info.registry.url, SAMPLE_IMAGE_SET);
    process.stderr.write(
      `[global-setup] lab '${info.name}' up with ${info.nodes.length} nodes in ${(elapsedMs / 1000).toFixed(1)} s, sample images pushed in ${((Date.now() - pushStarted) / 1000).toFixed(1)} s (${info.dir})\n`,
    );
    project.provide('labDir', info.dir);
    process.env.HOUND_TEST_LAB_DIR = info.dir;
  } catch (err) {
    // One clear line (not root, not Linux, a package missing) instead of a stack trace.
    if (err instanceof HoundError) throw new Error(`integration tests need a hound lab: ${err.format()}`, { cause: err });
    throw err;
  }
  return async () => {
    if (process.env.HOUND_TEST_KEEP_LAB === '1') return;
    await labDown(name);
  };
}
