// `hound apply plan.json`: carries out exactly a saved plan, pinned to its digests, after
// checking that neither the nodes nor the tags have moved since it was made.
import { colourEnabled } from '../base/colour.js';
import { type Command } from 'commander';
import { EXIT } from '../base/errors.js';
import { addHostOptions } from './run-options.js';
import { compileForPlan, forksOf, hostAccessOptions, type RunSelectionOptions } from './plan.js';

interface ApplyCommandOptions extends RunSelectionOptions {
  json?: boolean;
}

async function applyCommand(planPath: string, o: ApplyCommandOptions): Promise<void> {
  const [planFile, facts, { applyPlannedChanges, applyResultToJson, checkPlanHostsKnown }, { formatApplyResult }] = await Promise.all([
    import('../plan/plan-file.js'),
    import('../plan/facts.js'),
    import('../plan/apply.js'),
    import('../plan/format.js'),
  ]);
  const saved = await planFile.readPlanFile(planPath);
  // The playbook is compiled again only for what reaching the hosts needs: connection
  // variables and registry credentials. What to do comes from the plan alone.
  const { run, inventory } = await compileForPlan(saved.source.playbook, {
    ...o,
    // -i given replaces the inventory the plan was made with; none given (an empty list) keeps it.
    inventory: o.inventory.length > 0 ? o.inventory : saved.source.inventory,
    limit: o.limit ?? (saved.source.limit ? [saved.source.limit] : undefined),
  });
  checkPlanHostsKnown(saved, inventory.hosts);
  const access = new facts.PlanHostAccess(run, await hostAccessOptions(o, inventory));
  try {
    const credentials = await facts.registryCredentials(run);
    const result = await applyPlannedChanges(saved, access, { credentials, concurrency: forksOf(o) });
    if (o.json) process.stdout.write(JSON.stringify(applyResultToJson(result), null, 2) + '\n');
    else process.stdout.write(formatApplyResult(result, { color: colourEnabled(process.stdout) }));
    const failed = Object.values(result.hosts).filter((h) => h.failed);
    process.exitCode = failed.some((h) => h.failed!.code !== 'UNREACHABLE') ? EXIT.HOST_FAILED : failed.length > 0 ? EXIT.HOST_UNREACHABLE : EXIT.OK;
  } finally {
    await access.close();
  }
}

export function register(program: Command): void {
  const command = program
    .command('apply')
    .description('carry out a plan saved by `hound plan --out`, exactly, refusing if the cluster has drifted since')
    .argument('<plan>', 'the plan file')
    .option('-l, --limit <pattern>', 'the hosts the plan was made for (default: as saved)', (v: string, p: string[] = []) => [...p, v])
    .option('--json', 'print the outcome as JSON')
    .addHelpText(
      'after',
      `
Each pull is pinned to the digest in the plan (docker pull repo@sha256:...), then tagged
with the planned tag, so the node ends up as a pull by tag leaves it. Before anything
moves, apply reads each changing node's images and each tag's digest again, and refuses
(PLAN_DRIFTED, exit 1) if either differs from what the plan saw. The inventory and the
playbook are read again (from the paths saved in the plan, or -i) only to reach the hosts
and for registry credentials; pass the same -e as to plan if connections depend on it.`,
    );
  addHostOptions(command).action((plan: string, o: ApplyCommandOptions) => applyCommand(plan, o));
}
