// `docker pull` over ssh, as a shell loop does it: node after node, or every node at once
// (the seed paper's node-level parallelism straight from the registry). Within a node the
// images are pulled one after the other, as `for ref in ...; do docker pull $ref; done`.
import { performance } from 'node:perf_hooks';
import { describeFailure, runCommand } from '../command-run.js';
import type { Contender, ContenderOutcome, RunSetting } from '../contender.js';
import { sshArgv } from '../lab-nodes.js';

/** A pull command line over ssh, as a shell loop runs it on a node for each image. */
export interface PullCommand {
  /** What failures name, e.g. `docker pull`. */
  name: string;
  argv(ref: string): string[];
}

const DOCKER_PULL: PullCommand = { name: 'docker pull', argv: (ref) => ['docker', 'pull', ref] };

/** A node's images, one after the other; the first failure ends the node's loop. */
export async function pullNode(setting: RunSetting, index: number, command: PullCommand = DOCKER_PULL): Promise<string | undefined> {
  const { lab, nodes, needs } = setting.target;
  for (const ref of needs[index]) {
    const result = await runCommand(sshArgv(lab, nodes[index], command.argv(ref)), { signal: setting.signal });
    if (result.code !== 0) return `${nodes[index].name}: ${describeFailure(command.name, result)}`;
  }
  return undefined;
}

export function outcomeOf(errors: (string | undefined)[]): ContenderOutcome {
  const failed = errors.filter((e): e is string => e !== undefined);
  return failed.length === 0 ? { ok: true } : { ok: false, error: failed.join('; ') };
}

export const dockerPullSequential: Contender = {
  id: 'docker-pull-sequential',
  label: 'docker pull, node after node',
  isHound: false,
  nodeAfterNode: true,
  async prepare(setting) {
    return {
      async start() {
        const started = performance.now();
        const errors: (string | undefined)[] = [];
        const stepEndSeconds: number[] = [];
        for (let i = 0; i < setting.target.nodes.length; i++) {
          errors.push(await pullNode(setting, i));
          stepEndSeconds.push((performance.now() - started) / 1000);
        }
        return { ...outcomeOf(errors), stepEndSeconds };
      },
    };
  },
};

export const dockerPullParallel: Contender = {
  id: 'docker-pull-parallel',
  label: 'docker pull, all nodes at once',
  isHound: false,
  async prepare(setting) {
    return {
      async start() {
        return outcomeOf(await Promise.all(setting.target.nodes.map((_, i) => pullNode(setting, i))));
      },
    };
  },
};
