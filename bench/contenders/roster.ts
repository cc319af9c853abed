// Every contender the benchmark knows, by id, in the order they run and are tabulated, and
// the runtimes each runs on: one set of rows per runtime of --runtimes.
import { OptionsError } from '../../base/errors.js';
import { LAB_RUNTIMES, type LabRuntime } from '../../lab/runtimes.js';
import type { HoundBuild } from '../baseline.js';
import type { Contender } from '../contender.js';
import { ansibleContender } from './ansible.js';
import { composePull } from './compose.js';
import { dockerPullParallel, dockerPullSequential } from './docker-pull.js';
import { houndContender } from './hound.js';
import { criPull, ctrPull, podmanPull } from './runtime-pulls.js';

/** Ids accepted by --contenders; `hound` stands for one contender per --strategies entry. */
export const CONTENDER_IDS = [
  'docker-pull-sequential',
  'docker-pull-parallel',
  'ansible-forks-5',
  'ansible-forks-n',
  'docker-compose-pull',
  'ctr-pull',
  'cri-pull',
  'podman-pull',
  'hound',
] as const;
export type ContenderId = (typeof CONTENDER_IDS)[number];

/** The nodes each contender works on: Docker's tools on Docker nodes, and so on; hound on all. */
export const CONTENDER_RUNTIMES: Record<ContenderId, readonly LabRuntime[]> = {
  'docker-pull-sequential': ['docker'],
  'docker-pull-parallel': ['docker'],
  'ansible-forks-5': ['docker'],
  'ansible-forks-n': ['docker'],
  'docker-compose-pull': ['docker'],
  'ctr-pull': ['containerd'],
  'cri-pull': ['containerd'],
  'podman-pull': ['podman'],
  hound: LAB_RUNTIMES,
};

/** An earlier build of hound run beside this one (--baseline), with the strategies it runs. */
export interface BaselineRoster {
  build: HoundBuild;
  strategies: readonly string[];
}

function contendersOf(id: ContenderId, strategies: readonly string[], baseline: BaselineRoster | undefined): Contender[] {
  switch (id) {
    case 'docker-pull-sequential':
      return [dockerPullSequential];
    case 'docker-pull-parallel':
      return [dockerPullParallel];
    case 'ansible-forks-5':
      return [ansibleContender(5)];
    case 'ansible-forks-n':
      return [ansibleContender('nodes')];
    case 'docker-compose-pull':
      return [composePull];
    case 'ctr-pull':
      return [ctrPull];
    case 'cri-pull':
      return [criPull];
    case 'podman-pull':
      return [podmanPull];
    case 'hound':
      return [
        ...strategies.map((s) => houndContender(s)),
        ...(baseline === undefined ? [] : baseline.strategies.map((s) => houndContender(s, baseline.build))),
      ];
  }
}

/** A contender on one runtime's nodes. Docker's keep their ids (older results read the same); the others' ids name the runtime. */
function onRuntime(contender: Contender, runtime: LabRuntime): Contender {
  return { ...contender, runtime, id: runtime === 'docker' ? contender.id : `${contender.id}@${runtime}` };
}

/** The contenders, runtime by runtime (Docker's first), each runtime with those of `ids` that run on it. */
export function buildRoster(
  ids: readonly ContenderId[],
  strategies: readonly string[],
  runtimes: readonly LabRuntime[] = ['docker'],
  baseline?: BaselineRoster,
): Contender[] {
  return LAB_RUNTIMES.filter((r) => runtimes.includes(r)).flatMap((runtime) =>
    CONTENDER_IDS.filter((id) => ids.includes(id) && CONTENDER_RUNTIMES[id].includes(runtime)).flatMap((id) =>
      contendersOf(id, strategies, baseline).map((c) => onRuntime(c, runtime)),
    ),
  );
}

/**
 * Every runtime asked for gets a contender, every contender asked for by name runs on one of
 * the runtimes, and no Docker-only strategy is asked for on other nodes: a contender that
 * would silently not run is an error.
 */
export function checkRoster(o: { contenders: readonly ContenderId[]; named: boolean; strategies: readonly string[]; runtimes: readonly LabRuntime[] }): void {
  if (o.named) {
    for (const id of o.contenders) {
      const on = CONTENDER_RUNTIMES[id];
      if (!on.some((r) => o.runtimes.includes(r))) {
        throw new OptionsError('BENCH_BAD_OPTION', `--contenders: ${id} runs on ${on.join(', ')} nodes, and --runtimes is ${o.runtimes.join(',')}`, {
          hint: `add ${on[0]} to --runtimes, or leave ${id} out`,
        });
      }
    }
  }
  for (const runtime of o.runtimes) {
    if (!o.contenders.some((id) => CONTENDER_RUNTIMES[id].includes(runtime))) {
      const fitting = CONTENDER_IDS.filter((id) => CONTENDER_RUNTIMES[id].includes(runtime));
      throw new OptionsError('BENCH_BAD_OPTION', `--runtimes: no contender asked for runs on ${runtime} nodes`, {
        hint: `add one of ${fitting.join(', ')} to --contenders`,
      });
    }
  }
}
