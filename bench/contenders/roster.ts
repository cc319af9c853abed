// Every contender the benchmark knows, by id, in the order they run and are tabulated.
import type { Contender } from '../contender.js';
import { ansibleContender } from './ansible.js';
import { composePull } from './compose.js';
import { dockerPullParallel, dockerPullSequential } from './docker-pull.js';
import { houndContender } from './hound.js';

/** Ids accepted by --contenders; `hound` stands for one contender per --strategies entry. */
export const CONTENDER_IDS = ['docker-pull-sequential', 'docker-pull-parallel', 'ansible-forks-5', 'ansible-forks-n', 'docker-compose-pull', 'hound'] as const;
export type ContenderId = (typeof CONTENDER_IDS)[number];

export function buildRoster(ids: readonly ContenderId[], strategies: readonly string[]): Contender[] {
  const roster: Contender[] = [];
  for (const id of CONTENDER_IDS) {
    if (!ids.includes(id)) continue;
    switch (id) {
      case 'docker-pull-sequential':
        roster.push(dockerPullSequential);
        break;
      case 'docker-pull-parallel':
        roster.push(dockerPullParallel);
        break;
      case 'ansible-forks-5':
        roster.push(ansibleContender(5));
        break;
      case 'ansible-forks-n':
        roster.push(ansibleContender('nodes'));
        break;
      case 'docker-compose-pull':
        roster.push(composePull);
        break;
      case 'hound':
        for (const s of strategies) roster.push(houndContender(s));
        break;
    }
  }
  return roster;
}
