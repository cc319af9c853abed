// hound itself: `hound play` on the same inventory and host_vars, one contender per
// distribution strategy, under GNU time for its memory and CPU on the controller.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HoundBuild } from '../baseline.js';
import { describeFailure, runCommand } from '../command-run.js';
import type { Contender } from '../contender.js';
import { parseSshSetupLine, readControllerCost, withGnuTime } from '../controller-cost.js';
import { watchPeakFds, type FdWatch } from '../process-fds.js';
import { writeFiles } from '../generated-files.js';
import { inventoryFiles, registryHost } from '../lab-nodes.js';
import { LAB_REGISTRY_IMAGE_REPOSITORY, LAB_REGISTRY_IMAGE_TAG } from '../../lab/registry-image.js';

/** The built CLI beside this file's build output (dist/bench/contenders → dist/cli). */
export const HOUND_CLI = fileURLToPath(new URL('../../cli/hound.js', import.meta.url));

/** Where a failed hound run's whole output is kept (the benchmark's work dirs are removed at its end). */
const FAILED_RUNS_DIR = '/var/tmp/hound-bench-failed';

/**
 * Node's own options for hound's runs, from HOUND_BENCH_NODE_ARGS (space-separated): for
 * `--cpu-prof --cpu-prof-dir=DIR`, which Node refuses in NODE_OPTIONS.
 */
function nodeArgs(): string[] {
  return (process.env.HOUND_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
}

/** The play every hound run of the benchmark makes: each node pulls its `bench_images`. */
export const HOUND_PLAYBOOK = `- name: warm up images
  hosts: nodes
  gather_facts: false
  tasks:
    - name: pull the node's images
      images:
        names: "{{ bench_images }}"
`;

/**
 * hound with one distribution strategy: this checkout's build, or with `baseline` an earlier
 * build run beside it (`hound-baseline-auto`, labelled with its revision). The ratios compare
 * with this build only, so a baseline is not one of the hound rows (isHound false).
 */
export function houndContender(strategy: string, baseline?: HoundBuild): Contender {
  const cli = baseline?.cli ?? HOUND_CLI;
  const takesFanoutImage = baseline?.takesFanoutImage ?? true;
  return {
    id: baseline === undefined ? `hound-${strategy}` : `hound-baseline-${strategy}`,
    label: baseline === undefined ? `hound (${strategy})` : `hound ${baseline.revision} (${strategy})`,
    isHound: baseline === undefined,
    async prepare(setting) {
      const files = inventoryFiles(setting.target);
      files.set('playbook.yml', HOUND_PLAYBOOK);
      await writeFiles(setting.workDir, files);
      const costFile = path.join(setting.workDir, 'cost.txt');
      // Fan-out seeds run the lab's registry image (main.ts pushes it for fanout and auto), and
      // auto gets it as a user who allows fan-out would give it: auto then weighs fan-out too.
      // A baseline from before fan-out refuses the option, and its auto never weighed seeds.
      const seedImage =
        (strategy === 'fanout' || strategy === 'auto') && takesFanoutImage
          ? ['--fanout-image', `${registryHost(setting.target.lab)}/${LAB_REGISTRY_IMAGE_REPOSITORY}:${LAB_REGISTRY_IMAGE_TAG}`]
          : [];
      // -v for its `ssh: …` line (the connections' set-up) and its choice's details; a few
      // hundred lines at 100 nodes.
      const argv = withGnuTime(
        [
          process.execPath,
          ...nodeArgs(),
          cli,
          'play',
          'playbook.yml',
          '-i',
          'inventory.ini',
          '-v',
          '--reporter',
          'plain',
          '--distribution',
          strategy,
          ...seedImage,
        ],
        costFile,
      );
      return {
        async start() {
          // All of it: a failure at 25 nodes once left only the recap's tail, and its cause unknown.
          let fds: FdWatch | undefined;
          const result = await runCommand(argv, {
            cwd: setting.workDir,
            signal: setting.signal,
            keepChars: 16 * 1024 * 1024,
            onSpawn: (pid) => (fds = watchPeakFds(pid)),
          });
          const peakOpenFds = await fds?.stop();
          const timed = await readControllerCost(costFile);
          const output = result.stdout + result.stderr;
          const ssh = parseSshSetupLine(output);
          const controller = timed && { ...timed, ...(peakOpenFds !== undefined ? { peakOpenFds } : {}), ...(ssh ? { ssh } : {}) };
          // At -v the probe's own line (`distribution auto: probed the links …`) comes first.
          const choice = /distribution auto: (?!probed the links)(.*)/.exec(output)?.[1]?.trim();
          const chosen = choice !== undefined ? { choice } : {};
          if (result.code !== 0) {
            // The work dir goes with the benchmark's end; the whole output of a failed run stays.
            const kept = path.join(FAILED_RUNS_DIR, `${path.basename(setting.workDir)}-${Date.now()}.log`);
            await mkdir(FAILED_RUNS_DIR, { recursive: true });
            await writeFile(kept, `$ ${argv.join(' ')}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
            return { ok: false, error: `${describeFailure('hound play', result)} (whole output: ${kept})`, controller, ...chosen };
          }
          return { ok: true, controller, ...chosen };
        },
      };
    },
  };
}
