// `setup`: the host's facts in Ansible's names and types (modules/facts/), which the
// executor keeps for the run. A play's `gather_facts` runs it as "Gathering Facts".
import { ModuleFailure, controllerModule } from './implementation.js';
import { setupModule } from './schemas.js';
import { collectFacts } from './facts/collect.js';
import { collectorsFor, subsetList } from './facts/subsets.js';

export interface SetupArgs {
  gather_subset?: string | string[];
  gather_timeout?: number;
  filter?: string | string[];
  fact_path?: string;
}

const DEFAULT_GATHER_TIMEOUT = 10;

export const setup = controllerModule<SetupArgs>(setupModule, async (args, ctx) => {
  if (args.fact_path !== undefined) {
    throw new ModuleFailure('fact_path (local facts from facts.d) is not supported by hound; remove it', { fact_path: args.fact_path });
  }
  const gatherSubset = subsetList(args.gather_subset);
  const collectors = collectorsFor(gatherSubset);
  const filter =
    args.filter === undefined ? [] : (Array.isArray(args.filter) ? args.filter : args.filter.split(',')).map((f) => f.trim()).filter((f) => f !== '');
  const facts = await collectFacts(await ctx.connection(), () => ctx.docker(), {
    collectors,
    gatherSubset,
    timeoutSeconds: args.gather_timeout ?? DEFAULT_GATHER_TIMEOUT,
    signal: ctx.signal,
    filter,
  });
  ctx.detail(2, `setup: gathered ${Object.keys(facts).length} facts (${[...collectors].join(', ')})`);
  return { status: 'ok', msg: '', bytes: 0, data: { ansible_facts: facts }, gatheredFacts: facts };
});
