// `hound play PLAYBOOK... -i INVENTORY`: load and validate the playbooks, compile them
// against the inventory, then list (--list-*), check (--syntax-check) or run them.
import { colourEnabled } from '../base/colour.js';
import { Option, type Command } from 'commander';
import path from 'node:path';
import { EXIT } from '../base/errors.js';
import type { CompiledRun } from '../playbook/compiled.js';
import type { ReachDefaults } from '../playbook/task-reach.js';
import type { DiskCheckOptions } from '../plan/planner.js';
import type { Inventory } from '../inventory/model.js';
import { hostAccessOptions, planOptions, promptAsker } from './plan.js';
import { becomeSettingsOf } from './become-options.js';
import { addHostOptions, addTagOptions, collect, positiveInteger, timeoutSeconds, type HostCommandOptions, type TagCommandOptions } from './run-options.js';
import {
  commandConfig,
  connectionSettings,
  houndNumber,
  houndSeconds,
  houndSetting,
  privilegeEscalationSettings,
  runLoadSettings,
  warnIfOpenFilesShort,
  type ConnectionSettings,
} from './settings.js';

interface PlayCommandOptions extends HostCommandOptions, TagCommandOptions {
  limit: string[];
  syntaxCheck?: boolean;
  listTasks?: boolean;
  listHosts?: boolean;
  listTags?: boolean;
  check?: boolean;
  diff?: boolean;
  verbose: number;
  reporter?: 'auto' | 'tty' | 'plain' | 'json';
  json?: boolean;
  distribution?: 'direct' | 'relay' | 'fanout' | 'auto';
  fanoutImage?: string;
  pullsPerHost?: number;
  pullsPerRegistry?: number;
  ignoreDiskCheck?: boolean;
  diskMargin?: string;
  diskFactor?: string;
  stallTimeout?: number;
  pullAttempts?: number;
}

export function register(program: Command): void {
  const command = program.command('play');
  command
    .description('Run playbooks: pre-pull the images each node needs (like ansible-playbook)')
    .argument('<playbook...>', 'playbook files, run in order')
    .option('-l, --limit <pattern>', 'only hosts matching this pattern (repeatable; @file reads patterns from a file)', collect, [])
    .option('--syntax-check', 'check the playbooks (and, with -i, compile them against the inventory) without running')
    .option('--list-tasks', 'list the tasks that would run')
    .option('--list-hosts', 'list the hosts each play would run on')
    .option('--list-tags', 'list the tags of the tasks that would run')
    .option('-C, --check', 'do not change anything; show what would change')
    .option('-D, --diff', 'show the differences (images added and removed)')
    .option('-v, --verbose', 'more output (repeat for more: -vvv)', (_: string, previous: number) => previous + 1, 0)
    .addOption(new Option('--reporter <name>', 'how progress is shown (default auto, or HOUND_REPORTER)').choices(['auto', 'tty', 'plain', 'json']))
    .option('--json', 'same as --reporter json')
    .addOption(
      new Option(
        '--distribution <mode>',
        'how images reach the nodes: direct (each node pulls from the registry), relay (hound fetches each layer once and streams it to the nodes over SSH), fanout (the relay feeds a few seed nodes, which serve the others), auto, the default (chosen from the plan and the link rates, stated or probed briefly at the start; fanout only with --fanout-image)',
      ).choices(['direct', 'relay', 'fanout', 'auto']),
    )
    .option('--fanout-image <ref>', 'the registry image fan-out seeds run for the run only (e.g. registry:2); also hound_fanout_image')
    .option('--pulls-per-host <n>', 'pulls at once on one node, across its tasks (default 4)', positiveInteger('--pulls-per-host'))
    .option('--pulls-per-registry <n>', 'pulls at once from one registry, across all nodes (default 32)', positiveInteger('--pulls-per-registry'))
    .option('--disk-margin <margin>', 'space to keep free on each node: a percentage of its free space or a size (default 10%)')
    .option('--disk-factor <n>', 'disk used per compressed byte pulled, to estimate the need (default 3)')
    .option('--ignore-disk-check', 'pull even where the disk precheck says a node lacks space')
    .option(
      '--pull-attempts <n>',
      'attempts for a pull that fails for a passing reason (registry 5xx/429, reset, stall), with exponential backoff and jitter (default 3)',
      positiveInteger('--pull-attempts'),
    )
    .option(
      '--stall-timeout <seconds>',
      'fail a pull that makes no progress for this long (default 120, or HOUND_STALL_TIMEOUT)',
      timeoutSeconds('--stall-timeout'),
    );
  addTagOptions(addHostOptions(command)).action(async (playbooks: string[], opts: PlayCommandOptions) => {
    process.exitCode = await playCommand(playbooks, opts);
  });
}

/** Runs the command and resolves to its exit code; errors are thrown as HoundErrors. */
export async function playCommand(playbooks: string[], opts: PlayCommandOptions): Promise<number> {
  const { loadAndCompile } = await import('../playbook/load-run.js');
  const { listPlaybook } = await import('../playbook/listing.js');
  const running = !(opts.syntaxCheck || opts.listHosts || opts.listTasks || opts.listTags);
  const config = commandConfig();
  const reporterName = houndSetting('HOUND_REPORTER', opts.json ? 'json' : opts.reporter, opts.json ? '--json' : '--reporter', config) as
    'auto' | 'tty' | 'plain' | 'json';
  // As ansible-playbook -v, first: which configuration file the run uses (not in JSON output).
  if (opts.verbose >= 1 && reporterName !== 'json')
    process.stdout.write(config.file ? `Using ${config.file} as config file\n` : 'No config file found; using defaults\n');
  const load = await runLoadSettings(opts, config);
  const { connection, hostKeyChecking, forks } = connectionSettings(opts, config);
  const {
    inventory,
    playbooks: loaded,
    compiled,
    tags,
    skipTags,
    secrets,
  } = await loadAndCompile(playbooks, {
    ...opts,
    ...load,
    check: opts.check === true,
    running,
    ask: running ? await promptAsker() : undefined,
    run: { verbosity: opts.verbose, forks, diff: opts.diff === true, configFile: config.file },
    // As ansible-playbook's, a syntax check reads the playbooks; given an inventory, hound also
    // compiles them against it (every host's templates, loops and conditions).
    compile: !(opts.syntaxCheck && (load.inventory ?? []).length === 0),
  });

  if (opts.syntaxCheck) {
    for (const playbook of loaded) process.stdout.write(`\nplaybook: ${path.relative(process.cwd(), playbook.file) || playbook.file}\n`);
    return EXIT.OK;
  }
  if (opts.listHosts || opts.listTasks || opts.listTags) {
    const choice = { hosts: opts.listHosts === true, tasks: opts.listTasks === true, tags: opts.listTags === true };
    loaded.forEach((playbook, i) => process.stdout.write(listPlaybook(playbook, compiled[i].plays, choice, { only: tags, skip: skipTags })));
    return EXIT.OK;
  }
  const run = { plays: compiled.flatMap((r) => r.plays) };
  warnIfOpenFilesShort(run.plays);
  const { parseDiskMargin } = await import('../plan/format.js');
  const { disk: diskCheck, distribution, ignoreDiskCheck } = planOptions(opts, parseDiskMargin, config);
  const become = await becomeSettingsOf(opts, privilegeEscalationSettings(opts, config));
  const connectionType = load.defaultConnection;
  if (opts.check && opts.diff)
    await printPlanDiff(
      run,
      inventory,
      { connection, hostKeyChecking, forks, distribution, ignoreDiskCheck, json: reporterName === 'json', caFile: opts.caFile },
      diskCheck,
      { ...become, connection: connectionType },
    );
  const [{ executeRun }, { createReporter }] = await Promise.all([import('../core/run.js'), import('../report/choose-reporter.js')]);
  const reporter = await createReporter({ reporter: reporterName, verbosity: opts.verbose, diff: opts.diff === true }, process.stdout);
  // Closed also when the run throws: a live view left on screen would bury the error (closing twice is harmless).
  return executeRun(run, {
    inventory,
    forks,
    check: opts.check === true,
    diff: opts.diff === true,
    verbosity: opts.verbose,
    reporter,
    hostKeyChecking,
    distribution,
    fanoutImage: opts.fanoutImage,
    connection,
    pullsPerHost: houndNumber('HOUND_PULLS_PER_HOST', opts.pullsPerHost, '--pulls-per-host', config),
    pullsPerRegistry: houndNumber('HOUND_PULLS_PER_REGISTRY', opts.pullsPerRegistry, '--pulls-per-registry', config),
    ignoreDiskCheck,
    diskCheck,
    stallTimeoutMs: (houndSeconds('HOUND_STALL_TIMEOUT', opts.stallTimeout, '--stall-timeout', config) ?? 120) * 1000,
    pullAttempts: houndNumber('HOUND_PULL_ATTEMPTS', opts.pullAttempts, '--pull-attempts', config),
    vault: load.vault.keyring,
    caFiles: opts.caFile,
    privilegeEscalation: become.privilegeEscalation,
    connectionType,
    becomePassword: become.becomePassword,
    secrets,
  }).finally(() => reporter.close());
}

/** `--check --diff`: the layer-level plan `hound plan` shows, before the check run's recap. */
async function printPlanDiff(
  run: CompiledRun,
  inventory: Inventory,
  o: ConnectionSettings & { distribution?: PlayCommandOptions['distribution']; ignoreDiskCheck: boolean; json: boolean; caFile: string[] },
  disk: DiskCheckOptions,
  reach: ReachDefaults,
): Promise<void> {
  const [facts, format] = await Promise.all([import('../plan/facts.js'), import('../plan/format.js')]);
  const access = new facts.PlanHostAccess(run, {
    ...(await hostAccessOptions({ caFile: o.caFile, hostKeyChecking: o.hostKeyChecking }, inventory)),
    connection: o.connection,
    hostKeyChecking: o.hostKeyChecking,
    // The become settings asked for once (-K) by the play, not again by the plan.
    reach,
  });
  const { plan } = await facts
    .planRun(run, access, { disk, ignoreDiskCheck: o.ignoreDiskCheck, distribution: o.distribution, concurrency: o.forks })
    .finally(() => access.close());
  const out = o.json ? process.stderr : process.stdout;
  out.write(format.formatPlanDiff(plan, { color: colourEnabled(out) }) + '\n');
}
