// `hound inventory`: shows the inventory as hound reads it, in ansible-inventory's shapes,
// so users can check that hound sees their inventory exactly as Ansible does.
import type { Command } from 'commander';
import { OptionsError } from '../base/errors.js';
import { inventorySources, vaultKeyring, vaultOptionsOf, warnLine } from './settings.js';
import { addVaultOptions, collect } from './run-options.js';

interface InventoryCommandOptions {
  inventory: string[];
  vaultId?: string[];
  vaultPasswordFile?: string[];
  vaultPassFile?: string[];
  askVaultPass?: boolean;
  askVaultPassword?: boolean;
  list?: boolean;
  graph?: boolean;
  host?: string;
  yaml?: boolean;
  vars?: boolean;
  limit?: string[];
  playbookDir?: string;
  extraVars?: string[];
  verbose?: number;
}

export function register(program: Command): void {
  const command = program
    .command('inventory')
    .description('Show the inventory as hound reads it (like ansible-inventory)')
    .argument('[group]', 'with --graph: the group to start from (default: all)')
    .option('-i, --inventory <source>', 'inventory file, directory or comma-separated host list (repeatable)', collect, [])
    .option('--list', 'print every group and host with its variables, as JSON')
    .option('--graph', 'draw the group tree')
    .option('--host <name>', "print one host's variables")
    .option('-y, --yaml', 'print YAML instead of JSON (with --list or --host)')
    .option('--vars', 'with --graph: show variables too')
    .option('-l, --limit <pattern>', 'only hosts matching this pattern (repeatable; @file reads patterns from a file)', collect, [])
    .option(
      '-e, --extra-vars <vars>',
      "extra variables: key=value, a JSON/YAML mapping, or @file (repeatable, later wins); listed among every host's variables, as ansible-inventory lists them",
      collect,
      [],
    )
    .option('--playbook-dir <dir>', "the playbook's folder, whose group_vars/ and host_vars/ apply too (default: the working folder, as ansible-inventory)")
    // Accepted as ansible-inventory accepts it, so the same command lines work; -v names the files read.
    .option('-v, --verbose', 'more output on stderr (repeat for more: -vvv): the inventory files read', (_: string, previous: number) => previous + 1, 0);
  addVaultOptions(command).action(async (group: string | undefined, opts: InventoryCommandOptions) => {
    // A value decrypted from a vault-encrypted vars file is registered as a secret: the binary's masking step shows it as ********.
    process.stdout.write(await inventoryCommand(group, opts));
  });
}

/** Runs the command and returns what it prints on stdout; warnings go to stderr. */
export async function inventoryCommand(group: string | undefined, opts: InventoryCommandOptions): Promise<string> {
  const actions = [opts.list, opts.graph, opts.host !== undefined].filter(Boolean).length;
  if (actions === 0) {
    throw new OptionsError('NO_INVENTORY_ACTION', 'No action selected, at least one of --host, --graph or --list needs to be specified.', {
      hint: 'hound inventory -i hosts.ini --list',
    });
  }
  if (actions > 1) {
    throw new OptionsError('CONFLICTING_INVENTORY_ACTIONS', 'Conflicting options used, only one of --host, --graph or --list can be used at the same time.');
  }
  const [{ loadInventory, withPlaybookVarsDir }, list, { resolvePattern }, { inventoryPlugins }, { mergeExtraVars }] = await Promise.all([
    import('../inventory/load.js'),
    import('../inventory/list.js'),
    import('../inventory/patterns.js'),
    import('../playbook/inventory-plugins.js'),
    import('../playbook/extra-vars.js'),
  ]);
  const warn = warnLine;
  const keyring = await vaultKeyring({ ...opts, ...vaultOptionsOf(opts) });
  // Inline !vault values are listed as ansible-inventory lists them: {"__ansible_vault": ciphertext}.
  const vault = { keyring, inline: 'keep' } as const;
  // -e as ansible-inventory reads it: a constructed source with use_extra_vars sees it, and every host lists it.
  const extraVars = mergeExtraVars(opts.extraVars ?? [], undefined, vault, warn);
  const inv = await withPlaybookVarsDir(
    await loadInventory(inventorySources(opts), { warn, vault, plugins: inventoryPlugins({ extraVars }) }),
    opts.playbookDir ?? process.cwd(),
    { warn, vault, onlyInHostVars: opts.playbookDir === undefined },
  );
  if ((opts.verbose ?? 0) > 0) for (const source of inv.sources) process.stderr.write(`Parsed ${source} inventory source\n`);
  const limit = { ...(opts.limit && opts.limit.length > 0 ? { hosts: resolvePattern(inv, opts.limit, { warn }) } : {}), extraVars };

  if (opts.host !== undefined) {
    const hosts = resolvePattern(inv, opts.host, { warn }).filter((h) => !limit.hosts || limit.hosts.includes(h));
    if (hosts.length !== 1) {
      throw new OptionsError('NOT_ONE_HOST', 'You must pass a single valid host to --host parameter', {
        hint: `the pattern ${JSON.stringify(opts.host)} matches ${hosts.length} hosts`,
      });
    }
    const vars = list.printableHostVars(inv, hosts[0], extraVars);
    return opts.yaml ? ansibleInventoryYaml(vars) : list.ansibleJson(vars) + '\n';
  }
  if (opts.graph) {
    const graph = list.inventoryGraph(inv, group ?? 'all', { ...limit, vars: opts.vars });
    if (graph === undefined) {
      throw new OptionsError('NOT_A_GROUP', 'Pattern must be valid group name when using --graph', {
        hint: `no group is named ${JSON.stringify(group)}`,
      });
    }
    return graph + '\n';
  }
  if (opts.yaml) return ansibleInventoryYaml(list.inventoryToListYamlData(inv, limit));
  return list.ansibleJson(list.inventoryToListJson(inv, limit)) + '\n';
}

/** YAML as ansible-inventory --yaml writes it: PyYAML's yaml.dump, block style, keys sorted. */
export async function ansibleInventoryYaml(value: unknown): Promise<string> {
  const { pyyamlDump } = await import('../playbook/python-yaml.js');
  // A group's value that its hosts share is one object in hound as in Ansible: PyYAML's anchor and aliases.
  return pyyamlDump(value, { defaultFlowStyle: false, aliases: true });
}
