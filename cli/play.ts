// `hound play PLAYBOOK... -i INVENTORY`: load and validate the playbooks, compile them
// against the inventory, then list (--list-*), check (--syntax-check) or run them.
import { Option, type Command } from 'commander';
import path from 'node:path';
import { EXIT, OptionsError } from '../core/errors.js';

interface PlayCommandOptions {
  inventory: string[];
  limit: string[];
  extraVars: string[];
  tags: string[];
  skipTags: string[];
  syntaxCheck?: boolean;
  listTasks?: boolean;
  listHosts?: boolean;
  listTags?: boolean;
  check?: boolean;
  diff?: boolean;
  forks?: number;
  verbose: number;
  reporter: 'auto' | 'tty' | 'plain' | 'json';
  json?: boolean;
  hostKeyChecking?: 'yes' | 'accept-new' | 'no';
  distribution?: 'direct' | 'relay' | 'auto';
  rolesPath: string[];
  user?: string;
  privateKey?: string;
  timeout?: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInteger(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < 1) {
      throw new OptionsError('BAD_OPTION_VALUE', `${option} ${JSON.stringify(value)}: expected a whole number of 1 or more`, { hint: `e.g. ${option} 10` });
    }
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('play')
    .description('Run playbooks: pre-pull the images each node needs (like ansible-playbook)')
    .argument('<playbook...>', 'playbook files, run in order')
    .option('-i, --inventory <source>', 'inventory file, directory or comma-separated host list (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'only hosts matching this pattern (repeatable; @file reads patterns from a file)', collect, [])
    .option('-e, --extra-vars <vars>', 'extra variables: key=value, a JSON/YAML mapping, or @file (repeatable, later wins)', collect, [])
    .option('-t, --tags <tags>', 'only tasks with these tags (comma-separated, repeatable)', collect, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated, repeatable)', collect, [])
    .option('--syntax-check', 'check the playbooks (and, with -i, compile them against the inventory) without running')
    .option('--list-tasks', 'list the tasks that would run')
    .option('--list-hosts', 'list the hosts each play would run on')
    .option('--list-tags', 'list the tags of the tasks that would run')
    .option('-C, --check', 'do not change anything; show what would change')
    .option('-D, --diff', 'show the differences (images added and removed)')
    .option('-f, --forks <n>', 'hosts worked on at once', positiveInteger('--forks'))
    .option('-v, --verbose', 'more output (repeat for more: -vvv)', (_: string, previous: number) => previous + 1, 0)
    .addOption(new Option('--reporter <name>', 'how progress is shown').choices(['auto', 'tty', 'plain', 'json']).default('auto'))
    .option('--json', 'same as --reporter json')
    .addOption(new Option('--host-key-checking <mode>', "SSH host key checking (OpenSSH's StrictHostKeyChecking)").choices(['yes', 'accept-new', 'no']))
    .addOption(new Option('--distribution <mode>', 'how images reach the nodes: from the registry, relayed between nodes, or chosen per image').choices(['direct', 'relay', 'auto']))
    .option('--roles-path <dirs>', 'directories to look for roles in, colon separated (repeatable; also HOUND_ROLES_PATH)', collect, [])
    .option('-u, --user <name>', 'connect as this user')
    .option('--private-key <file>', 'SSH private key file')
    .option('-T, --timeout <seconds>', 'SSH connection timeout', positiveInteger('--timeout'))
    .action(async (playbooks: string[], opts: PlayCommandOptions) => {
      process.exitCode = await playCommand(playbooks, opts);
    });
}

/** Runs the command and resolves to its exit code; errors are thrown as HoundErrors. */
export async function playCommand(playbooks: string[], opts: PlayCommandOptions): Promise<number> {
  const [{ PlaybookLoader }, { compilePlays }, { mergeExtraVars }, { parseTagOption }, { listPlaybook }, { loadInventory }] = await Promise.all([
    import('../core/loader.js'),
    import('../core/compiler.js'),
    import('../core/extra-vars.js'),
    import('../core/playbook-tags.js'),
    import('../core/playbook-listing.js'),
    import('../inventory/load.js'),
  ]);
  const tags = parseTagOption(opts.tags, '--tags');
  const skipTags = parseTagOption(opts.skipTags, '--skip-tags');
  const extraVars = mergeExtraVars(opts.extraVars);
  const rolesPath = [...opts.rolesPath, process.env.HOUND_ROLES_PATH ?? ''].flatMap((p) => p.split(':')).filter((p) => p !== '').map((p) => path.resolve(p));

  const loader = new PlaybookLoader({ rolesPath });
  const loaded = playbooks.map((file) => loader.load(file));
  const warn = (message: string) => process.stderr.write(`[WARNING]: ${message}\n`);
  const inventory = await loadInventory(opts.inventory, { warn });
  const compileOptions = { inventory, limit: opts.limit, tags, skipTags, extraVars, check: opts.check === true };
  const compiled = loaded.map((playbook) => compilePlays(playbook.plays, compileOptions));

  if (opts.syntaxCheck) {
    for (const playbook of loaded) process.stdout.write(`\nplaybook: ${path.relative(process.cwd(), playbook.file) || playbook.file}\n`);
    return EXIT.OK;
  }
  if (opts.listHosts || opts.listTasks || opts.listTags) {
    const choice = { hosts: opts.listHosts === true, tasks: opts.listTasks === true, tags: opts.listTags === true };
    loaded.forEach((playbook, i) => process.stdout.write(listPlaybook(playbook, compiled[i]!.plays, choice, { only: tags, skip: skipTags })));
    return EXIT.OK;
  }
  const { executeRun } = await import('../core/run.js');
  return executeRun(
    { plays: compiled.flatMap((run) => run.plays) },
    {
      inventory,
      forks: opts.forks,
      check: opts.check === true,
      diff: opts.diff === true,
      verbosity: opts.verbose,
      reporter: opts.json ? 'json' : opts.reporter,
      hostKeyChecking: opts.hostKeyChecking,
      distribution: opts.distribution,
      connection: { user: opts.user, privateKeyFile: opts.privateKey, timeoutSeconds: opts.timeout },
    },
  );
}
