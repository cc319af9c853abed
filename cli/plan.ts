// `hound plan PLAYBOOK -i INVENTORY`: what a run would pull and remove on each host, layer
// by layer, before anything moves. `--out` saves it for `hound apply`.
import { colourEnabled } from '../base/colour.js';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { EXIT, OptionsError } from '../base/errors.js';
import { checkOutputFile } from '../base/output-file.js';
import type { CompiledRun, Distribution } from '../playbook/compiled.js';
import type { Inventory } from '../inventory/model.js';
import {
  commandConfig,
  connectionSettings,
  defaultConnectionType,
  houndConfigured,
  houndSetting,
  privilegeEscalationSettings,
  runLoadSettings,
  warnIfOpenFilesShort,
  type ConfigurableOptions,
} from './settings.js';
import type { DiskCheckOptions, Plan, PlanOptions } from '../plan/planner.js';
import { becomeSettingsOf, type BecomeCommandOptions } from './become-options.js';
import { addHostOptions, addTagOptions, collect, type HostCommandOptions, type TagCommandOptions } from './run-options.js';

/** The options plan and apply share with play (cli/run-options.ts); plan also selects by tags and hosts. */
export interface RunSelectionOptions extends HostCommandOptions, Partial<TagCommandOptions> {
  limit?: string[];
}

interface PlanCommandOptions extends RunSelectionOptions {
  json?: boolean;
  out?: string;
  detailedExitcode?: boolean;
  diskMargin?: string;
  diskFactor?: string;
  ignoreDiskCheck?: boolean;
  distribution?: Distribution;
}

/** The access options `plan` and `apply` pass to PlanHostAccess (asks for the become password with -K). */
export async function hostAccessOptions(o: ConfigurableOptions & BecomeCommandOptions & { caFile?: string[] }, inventory: Inventory) {
  const { runCaFiles } = await import('../transport/registry-trust.js');
  const caFiles = runCaFiles(o.caFile ?? [], inventory);
  const { connection, hostKeyChecking } = connectionSettings(o);
  const reach = { ...(await becomeSettingsOf(o, privilegeEscalationSettings(o))), connection: defaultConnectionType(o) };
  return { inventory, connection, hostKeyChecking, registry: { trust: { caFiles } }, reach };
}

export function forksOf(o: RunSelectionOptions): number | undefined {
  return connectionSettings(o).forks;
}

/** Loads the inventory and the playbook and compiles them as `hound play` would. */
export async function compileForPlan(playbookFile: string, o: RunSelectionOptions): Promise<{ run: CompiledRun; inventory: Inventory; playbook: string }> {
  const { loadAndCompile } = await import('../playbook/load-run.js');
  const playbook = path.resolve(playbookFile);
  const { inventory, compiled } = await loadAndCompile([playbook], { ...o, ...(await runLoadSettings(o)), ask: await promptAsker() });
  warnIfOpenFilesShort(compiled[0].plays);
  return { run: compiled[0], inventory, playbook };
}

/** vars_prompt on a terminal: asks each question (private answers unseen); undefined without one. */
export async function promptAsker(): Promise<((p: { prompt: string; private: boolean; default?: unknown }) => Promise<string>) | undefined> {
  const { ask, canPrompt } = await import('./prompt.js');
  if (!canPrompt()) return undefined;
  return (p) => ask(`${p.prompt}${p.default !== undefined ? ` [${String(p.default)}]` : ''}: `, { hidden: p.private });
}

/** --disk-margin and --disk-factor as the planner's disk check options. */
function diskCheckOptions(
  o: { diskMargin?: string; diskFactor?: string },
  parseDiskMargin: (t: string) => { fraction?: number; bytes?: number },
): DiskCheckOptions {
  const margin = o.diskMargin !== undefined ? parseDiskMargin(o.diskMargin) : undefined;
  let expansionFactor: number | undefined;
  if (o.diskFactor !== undefined) {
    expansionFactor = Number(o.diskFactor);
    if (!Number.isFinite(expansionFactor) || expansionFactor < 1) {
      throw new OptionsError('BAD_OPTION_VALUE', `--disk-factor must be a number of at least 1, got "${o.diskFactor}"`, {
        hint: 'disk used per compressed byte pulled; 3 by default',
      });
    }
  }
  return { marginFraction: margin?.fraction ?? (margin ? 0 : undefined), marginBytes: margin?.bytes, expansionFactor };
}

/** The disk check and the distribution, from the command line, HOUND_* variables or ansible.cfg's [hound]; alike for plan and play. */
export function planOptions(
  o: Pick<PlanCommandOptions, 'diskMargin' | 'diskFactor' | 'ignoreDiskCheck' | 'distribution'>,
  parseDiskMargin: (t: string) => { fraction?: number; bytes?: number },
  config = commandConfig(),
): PlanOptions & { disk: DiskCheckOptions; ignoreDiskCheck: boolean } {
  const disk = {
    diskMargin: houndConfigured('HOUND_DISK_MARGIN', o.diskMargin, '--disk-margin', config) as string | undefined,
    diskFactor: houndConfigured('HOUND_DISK_FACTOR', o.diskFactor, '--disk-factor', config) as string | undefined,
  };
  return {
    disk: diskCheckOptions(disk, parseDiskMargin),
    ignoreDiskCheck: houndSetting('HOUND_IGNORE_DISK_CHECK', o.ignoreDiskCheck, '--ignore-disk-check', config) === true,
    distribution: houndSetting('HOUND_DISTRIBUTION', o.distribution, '--distribution', config) as Distribution | undefined,
  };
}

/** terraform's -detailed-exitcode: 0 no changes, 1 error, 2 changes. Otherwise Ansible's codes. */
export function planExitCode(plan: Plan, unreachable: readonly string[], detailed: boolean): number {
  const failed = plan.failedHosts.filter((h) => !unreachable.includes(h));
  if (detailed) return plan.failedHosts.length > 0 ? EXIT.ERROR : plan.changes > 0 ? 2 : EXIT.OK;
  if (failed.length > 0) return EXIT.HOST_FAILED;
  if (plan.failedHosts.length > 0) return EXIT.HOST_UNREACHABLE;
  return EXIT.OK;
}

async function planCommand(playbookFile: string, o: PlanCommandOptions): Promise<void> {
  const [facts, format, { planToJson }, planFile] = await Promise.all([
    import('../plan/facts.js'),
    import('../plan/format.js'),
    import('../plan/plan-json.js'),
    import('../plan/plan-file.js'),
  ]);
  const options = planOptions(o, format.parseDiskMargin);
  // Before any work: a plan gathered for minutes must not be lost to an --out that cannot be written.
  if (o.out) checkOutputFile(o.out, '--out');
  const { run, inventory, playbook } = await compileForPlan(playbookFile, o);
  const access = new facts.PlanHostAccess(run, await hostAccessOptions(o, inventory));
  const { plan, facts: gathered } = await facts.planRun(run, access, { ...options, concurrency: forksOf(o) }).finally(() => access.close());
  if (o.json) process.stdout.write(JSON.stringify(planToJson(plan), null, 2) + '\n');
  else process.stdout.write(format.formatPlanDiff(plan, { color: colourEnabled(process.stdout) }));
  if (o.out) {
    const saved = planFile.toSavedPlan(plan, gathered, {
      playbook,
      inventory: inventory.sources.map((s) => path.resolve(s)),
      ...(o.limit ? { limit: o.limit.join(':') } : {}),
    });
    await planFile.writePlanFile(o.out, saved);
    if (!o.json) process.stdout.write(`Saved the plan to ${o.out}; carry it out with \`hound apply ${o.out}\`.\n`);
  }
  process.exitCode = planExitCode(plan, Object.keys(gathered.unreachable), o.detailedExitcode === true);
}

export function register(program: Command): void {
  const command = program
    .command('plan')
    .description('show, layer by layer, what a playbook would pull and remove on each host, without changing anything')
    .argument('<playbook>', 'the playbook file')
    .option('-l, --limit <pattern>', 'further limit the hosts (repeatable)', collect)
    .option('--json', 'print the plan as JSON')
    .option('--out <file>', 'save the plan for `hound apply`')
    .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when something would, 1 on errors')
    .option('--disk-margin <margin>', 'space to keep free on each node: a percentage of its free space or a size (default 10%)')
    .option('--disk-factor <n>', 'disk used per compressed byte pulled, to estimate the need (default 3)')
    .option('--ignore-disk-check', 'do not fail hosts whose free space looks too small')
    .addOption(
      new Option(
        '--distribution <how>',
        'count registry bytes as this distribution would (default auto: relay when the nodes share layers, direct otherwise)',
      ).choices(['direct', 'relay', 'fanout', 'auto']),
    )
    .addHelpText(
      'after',
      `
Reading the plan:
  +  pull     the tag is missing (or, with state: latest, the registry has another digest for it)
  -  remove   state: absent, or not listed under images: exclusive
  =  none     already as asked
  Layers are matched by diff id, so a layer another image already brought counts as
  present, and a layer two images share is pulled once per host. Bytes are the
  registry's compressed sizes of the layers a host lacks.

Disk check:
  The registry states only compressed sizes, and Docker stores layers unpacked, so the
  space a host needs is estimated as compressed bytes x --disk-factor (3: gzip shrinks
  filesystem layers about 2-3x). A host fails the plan when that estimate plus
  --disk-margin exceeds the free space where Docker keeps its data. Removals are not
  credited. The estimate can be wrong both ways; --ignore-disk-check skips the refusal.

Exit codes: 0 planned, 2 a host failed (disk, registry), 3 a host unreachable;
  with --detailed-exitcode: 0 no changes, 2 changes, 1 any error or failed host.`,
    );
  addTagOptions(addHostOptions(command)).action((playbook: string, o: PlanCommandOptions) => planCommand(playbook, o));
}
